import { html } from '../lib/html.js';
import { messageTime } from '../lib/format.js';
import { MessageContent } from './content.js';
import { Card } from '../card/card.js';

/** Types drawn without a bubble (they carry their own frame). */
const BARE = new Set(['interactive', 'image', 'share_chat', 'share_user', 'file', 'audio', 'media', 'sticker']);

/** One message: avatar, sender (bots tagged), time, an optional reply quote, and the content. */
export function Message({ message: m, grouped, self, focused, directory, userId, now, onAct }) {
  if (m.msg_type === 'system' && !m.deleted) {
    return html`<div class="msg-system" data-message-id=${m.message_id} data-msg-type="system">
      <${MessageContent} message=${m} directory=${directory} userId=${userId} />
    </div>`;
  }
  const isBot = m.sender.kind === 'app';
  const bare = BARE.has(m.msg_type) && !m.deleted;
  const cls = ['msg', self ? 'msg-self' : '', grouped ? 'msg-grouped' : '', focused ? 'msg-focused' : ''].join(' ');
  return html`<div class=${cls} data-message-id=${m.message_id} data-msg-type=${m.msg_type} data-sender=${m.sender.name}>
    <div class="msg-avatar">${!grouped && html`<img class="avatar avatar-36" src=${m.sender.avatar} alt="" />`}</div>
    <div class="msg-main">
      ${!grouped &&
      html`<div class="msg-meta">
        <span class="msg-name">${m.sender.name}</span>
        ${isBot && html`<span class="chip chip-bot">Bot</span>`}
        <span class="msg-time" title=${new Date(m.create_time).toLocaleString()}>${messageTime(m.create_time, now)}</span>
      </div>`}
      <div class=${bare ? 'msg-body bare' : `msg-body bubble ${self ? 'bubble-self' : ''}`}>
        ${m.parent &&
        html`<div class="reply-quote" title=${m.parent.summary}>
          <span class="reply-quote-name">${m.parent.sender}:</span> ${m.parent.summary}
        </div>`}
        ${m.deleted
          ? html`<span class="recalled">This message was recalled</span>`
          : m.msg_type === 'interactive'
            ? html`<${Card} key=${`${m.message_id}:${m.update_time}`} message=${m} directory=${directory} userId=${userId} onAct=${onAct} />`
            : html`<${MessageContent} message=${m} directory=${directory} userId=${userId} />`}
      </div>
      ${m.updated && !m.deleted && html`<div class="msg-edited">${m.msg_type === 'interactive' ? 'Updated' : 'Edited'}</div>`}
    </div>
  </div>`;
}
