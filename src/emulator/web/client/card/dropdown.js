import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';

/**
 * A Feishu-like dropdown: a trigger, and a popover list with check marks. Opens upwards near
 * the bottom of the message list; closes on outside click or Escape. `onClose` fires after closing.
 */
export function Dropdown({ trigger, triggerClass = '', options, selected = [], multi = false, disabled, invalid, onPick, onClose, style, label }) {
  const [open, setOpen] = useState(false);
  const [up, setUp] = useState(false);
  const root = useRef();
  // The document listeners outlive renders: always call the latest onClose.
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  const close = () => {
    setOpen(false);
    onCloseRef.current?.();
  };

  useEffect(() => {
    if (!open) return;
    const onDown = (e) => !root.current?.contains(e.target) && close();
    const onKey = (e) => e.key === 'Escape' && close();
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const toggle = () => {
    if (disabled) return;
    if (open) return close();
    const rect = root.current.getBoundingClientRect();
    const list = root.current.closest('.message-list');
    const bottom = list ? list.getBoundingClientRect().bottom : innerHeight;
    setUp(bottom - rect.bottom < 230 && rect.top > 240);
    setOpen(true);
  };

  return html`<div class=${`dropdown ${open ? 'open' : ''}`} ref=${root} style=${style}>
    <button type="button" class=${`${triggerClass} ${invalid ? 'invalid' : ''}`} disabled=${disabled} onClick=${toggle} aria-haspopup="listbox" aria-expanded=${open} aria-label=${label}>
      ${trigger}
    </button>
    ${open &&
    html`<ul class=${`dropdown-menu ${up ? 'up' : ''}`} role="listbox" aria-multiselectable=${multi}>
      ${options.length === 0 && html`<li class="dropdown-empty">No options</li>`}
      ${options.map((o) => {
        const on = selected.includes(o.value);
        return html`<li
          key=${o.value}
          role="option"
          aria-selected=${on}
          class=${`dropdown-item ${on ? 'on' : ''}`}
          onClick=${() => {
            onPick(o);
            if (!multi) close();
          }}
        >
          ${o.avatar && html`<img class="avatar avatar-20" src=${o.avatar} alt="" />`}
          <span class="dropdown-label">${o.label}</span>
          ${on && html`<span class="dropdown-check">✓</span>`}
        </li>`;
      })}
    </ul>`}
  </div>`;
}
