import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { messageTime } from '../lib/format.js';

/** The chat list: groups and p2p chats, most recently active first, with the last message. */
export function Sidebar({ chats, selected, onSelect, offline }) {
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const shown = q ? chats.filter((c) => c.name.toLowerCase().includes(q) || c.preview.toLowerCase().includes(q)) : chats;
  return html`<aside class="sidebar">
    <div class="sidebar-head">
      <div class="sidebar-title">Messages ${offline && html`<span class="offline" title="The emulator is not answering">offline</span>`}</div>
      <input class="search" type="search" placeholder="Search chats" value=${query} onInput=${(e) => setQuery(e.currentTarget.value)} />
    </div>
    <ul class="chat-list" role="listbox" aria-label="Chats">
      ${shown.map(
        (c) => html`<li
          key=${c.chat_id}
          role="option"
          aria-selected=${c.chat_id === selected}
          class=${`chat-item ${c.chat_id === selected ? 'selected' : ''} ${c.dissolved ? 'dissolved' : ''}`}
          data-chat-id=${c.chat_id}
          onClick=${() => onSelect(c.chat_id)}
        >
          <img class="avatar avatar-40" src=${c.avatar} alt="" />
          <div class="chat-item-body">
            <div class="chat-item-top">
              <span class="chat-item-name">${c.name}</span>
              ${c.mode === 'p2p' && html`<span class="chip chip-p2p" title=${c.label}>DM</span>`}
              ${c.dissolved && html`<span class="chip">dissolved</span>`}
              <span class="chat-item-time">${c.preview ? messageTime(c.last_time) : ''}</span>
            </div>
            <div class="chat-item-preview">${c.preview || (c.mode === 'p2p' ? c.label : c.description) || 'No messages yet'}</div>
          </div>
        </li>`,
      )}
      ${shown.length === 0 && html`<li class="chat-empty">No chats match</li>`}
    </ul>
  </aside>`;
}
