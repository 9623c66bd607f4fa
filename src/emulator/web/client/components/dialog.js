import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';

/** The confirm dialog of card elements with `confirm: {title, text}`. Resolves true on Confirm. */

let open = () => {};

export function confirmDialog({ title, text }) {
  return new Promise((resolve) => open({ title, text, resolve }));
}

export function ConfirmHost() {
  const [dialog, setDialog] = useState(null);
  useEffect(() => {
    open = setDialog;
    return () => (open = () => {});
  }, []);
  useEffect(() => {
    if (!dialog) return;
    const onKey = (e) => e.key === 'Escape' && close(false);
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [dialog]);
  if (!dialog) return null;
  const close = (ok) => {
    setDialog(null);
    dialog.resolve(ok);
  };
  return html`<div class="modal-mask" onClick=${(e) => e.target === e.currentTarget && close(false)}>
    <div class="modal" role="dialog" aria-modal="true" data-testid="confirm-dialog">
      <div class="modal-title">${dialog.title || 'Confirm'}</div>
      ${dialog.text && html`<div class="modal-text">${dialog.text}</div>`}
      <div class="modal-actions">
        <button class="btn btn-default" onClick=${() => close(false)}>Cancel</button>
        <button class="btn btn-primary-filled" onClick=${() => close(true)} autofocus>Confirm</button>
      </div>
    </div>
  </div>`;
}
