import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';

/** Who can be @-mentioned in the chat: its bots (as "bot" first) and members. */
function candidates(chat, directory) {
  const bots = directory.bots.filter((b) => chat.bots.includes(b.app_id)).map((b, i) => ({ id: b.open_id, label: b.name, insert: i === 0 ? 'bot' : b.name, bot: true }));
  const people = directory.users.filter((u) => chat.members.includes(u.open_id)).map((u) => ({ id: u.open_id, label: u.en_name || u.name, insert: u.en_name || u.name }));
  return [...bots, ...people];
}

/** Writes as a chosen seeded user. Enter sends, Shift+Enter breaks the line, "@" suggests mentions. */
export function Composer({ chat, directory, userId, onUser, onSend }) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [suggest, setSuggest] = useState(null);
  const area = useRef();
  const me = directory.users.find((u) => u.open_id === userId);
  const canWrite = me && chat.members.includes(me.open_id) && !chat.dissolved;
  // In a p2p chat the user talks to the bot directly: no mention needed.
  const bot = directory.bots.find((b) => chat.bots.includes(b.app_id));
  const hint = chat.mode === 'p2p' ? `Message ${bot?.name ?? 'the bot'} — try /help` : `Message ${chat.name} — try @bot /help`;

  const updateSuggest = (value, caret) => {
    const m = /(^|\s)@([\w .-]{0,20})$/.exec(value.slice(0, caret));
    if (!m) return setSuggest(null);
    const q = m[2].toLowerCase();
    const list = candidates(chat, directory).filter((c) => c.label.toLowerCase().includes(q) || c.insert.toLowerCase().startsWith(q));
    setSuggest(list.length ? { start: caret - m[2].length - 1, caret, list, active: 0 } : null);
  };

  const pick = (c) => {
    const before = text.slice(0, suggest.start);
    const after = text.slice(suggest.caret);
    const next = `${before}@${c.insert} ${after}`;
    setText(next);
    setSuggest(null);
    requestAnimationFrame(() => {
      area.current.focus();
      const pos = before.length + c.insert.length + 2;
      area.current.setSelectionRange(pos, pos);
    });
  };

  const submit = async () => {
    if (!text.trim() || !canWrite || sending) return;
    setSending(true);
    const ok = await onSend(text);
    setSending(false);
    if (ok) setText('');
    area.current?.focus();
  };

  const onKeyDown = (e) => {
    if (suggest) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setSuggest({ ...suggest, active: (suggest.active + d + suggest.list.length) % suggest.list.length });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        return pick(suggest.list[suggest.active]);
      }
      if (e.key === 'Escape') return setSuggest(null);
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return html`<footer class="composer">
    <div class="composer-box">
      <div class="composer-as">
        <span class="composer-as-label">Writing as</span>
        <img class="avatar avatar-20" src=${userId ? `/__emulator/avatars/${userId}?size=40` : ''} alt="" />
        <select class="user-picker" value=${userId} onChange=${(e) => onUser(e.currentTarget.value)} data-testid="user-picker" aria-label="Write as user">
          ${directory.users.map((u) => {
            const member = chat.members.includes(u.open_id);
            return html`<option key=${u.open_id} value=${u.open_id} disabled=${u.resigned}>
              ${u.en_name || u.name}${u.resigned ? ' (resigned)' : member ? '' : ' (not in this chat)'}
            </option>`;
          })}
        </select>
        ${me && !chat.members.includes(me.open_id) && html`<span class="composer-warn">${me.en_name} is not a member of this chat</span>`}
      </div>
      ${suggest &&
      html`<ul class="mention-suggest" role="listbox">
        ${suggest.list.map(
          (c, i) => html`<li key=${c.id} class=${i === suggest.active ? 'active' : ''} onMouseDown=${(e) => (e.preventDefault(), pick(c))}>
            <span class="mention-name">${c.label}</span>${c.bot && html`<span class="chip chip-bot">Bot</span>`}
          </li>`,
        )}
      </ul>`}
      <textarea
        ref=${area}
        class="composer-input"
        rows="2"
        placeholder=${canWrite ? hint : 'Choose a member of this chat to write'}
        value=${text}
        disabled=${!canWrite}
        onInput=${(e) => {
          setText(e.currentTarget.value);
          updateSuggest(e.currentTarget.value, e.currentTarget.selectionStart);
        }}
        onKeyDown=${onKeyDown}
        onBlur=${() => setTimeout(() => setSuggest(null), 100)}
        data-testid="composer-input"
      ></textarea>
      <div class="composer-foot">
        <span class="composer-hint">Enter to send · Shift+Enter for a new line · @ to mention</span>
        <button class="btn btn-primary-filled btn-small" disabled=${!canWrite || !text.trim() || sending} onClick=${submit} data-testid="composer-send">Send</button>
      </div>
    </div>
  </footer>`;
}
