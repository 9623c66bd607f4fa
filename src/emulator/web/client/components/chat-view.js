import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Message } from './message.js';
import { Composer } from './composer.js';
import { showToast } from './toast.js';

/** Messages closer than this from the same sender are drawn as one group, as Feishu does. */
const GROUP_MS = 3 * 60_000;

function ChatHeader({ chat, directory, logOpen, onToggleLog }) {
  const people = chat.members.length + chat.bots.length;
  return html`<header class="chat-header">
    <img class="avatar avatar-32" src=${chat.avatar} alt="" />
    <div class="chat-header-text">
      <div class="chat-header-name">
        <span class="chat-header-title">${chat.name}</span>
        ${chat.mode === 'p2p' ? html`<span class="chip chip-p2p">${chat.label}</span>` : html`<span class="chat-header-count">${people} members</span>`}
      </div>
      ${chat.description && html`<div class="chat-header-desc">${chat.description}</div>`}
    </div>
    <div class="chat-header-members">
      ${chat.members.slice(0, 5).map((id) => html`<img key=${id} class="avatar avatar-24" src=${`/__emulator/avatars/${id}?size=48`} title=${directory.nameOf(id)} alt="" />`)}
    </div>
    <button class=${`header-btn ${logOpen ? 'on' : ''}`} onClick=${onToggleLog} data-testid="header-toggle-log">Request log</button>
  </header>`;
}

export function ChatView({ chat, messages, directory, userId, onUser, focus, now, refresh, logOpen, onToggleLog }) {
  const listRef = useRef();
  const stick = useRef(true);
  const focused = useRef(undefined);
  // The linked message stays in view while images above and in it load, until the user scrolls.
  const pin = useRef(undefined);

  const scrollTo = (id) => {
    const el = listRef.current;
    const target = el?.querySelector(`[data-message-id="${id}"]`);
    if (!target) return false;
    // Centre it, or show its top when it is taller than the list (scrollIntoView would also shift the page).
    const top = target.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop;
    el.scrollTop = Math.max(0, top - Math.max(16, (el.clientHeight - target.offsetHeight) / 2));
    return true;
  };
  const follow = () => {
    const el = listRef.current;
    if (pin.current) scrollTo(pin.current);
    else if (stick.current) el.scrollTop = el.scrollHeight;
  };

  const onScroll = () => {
    const el = listRef.current;
    if (!pin.current) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  const release = () => {
    pin.current = undefined;
  };

  useLayoutEffect(() => {
    if (focus && focused.current !== focus && scrollTo(focus)) {
      focused.current = focus;
      pin.current = focus;
      stick.current = false;
      return;
    }
    follow();
  }, [messages, focus]);

  // Images load after layout: keep following (the bottom, or the linked message) while they do.
  useEffect(() => {
    const el = listRef.current;
    const onLoad = () => follow();
    el.addEventListener('load', onLoad, true);
    return () => el.removeEventListener('load', onLoad, true);
  }, []);

  const act = async (message, action) => {
    if (!userId) return showToast({ type: 'warning', content: 'Choose who you are in the composer first' });
    const res = await api.act(message.message_id, userId, action);
    if (res.error) showToast({ type: 'error', content: res.error });
    else if (res.result.error) showToast({ type: 'error', content: `${res.result.error.msg} (${res.result.error.code})` });
    else if (res.result.toast) showToast(res.result.toast);
    refresh();
    return res;
  };

  const send = async (text) => {
    stick.current = true;
    pin.current = undefined;
    const res = await api.send(chat.chat_id, userId, text);
    if (res.error) showToast({ type: 'error', content: res.error });
    refresh();
    return !res.error;
  };

  return html`<section class="chat">
    <${ChatHeader} chat=${chat} directory=${directory} logOpen=${logOpen} onToggleLog=${onToggleLog} />
    <div class="message-list" ref=${listRef} onScroll=${onScroll} onWheel=${release} onPointerDown=${release} onKeyDown=${release} data-testid="message-list">
      ${messages.length === 0 && html`<div class="empty-chat">No messages yet. Say hello, or mention the bot: <code>@bot /help</code></div>`}
      ${messages.map((m, i) => {
        const prev = messages[i - 1];
        const grouped = prev && !prev.deleted && prev.msg_type !== 'system' && prev.sender.id === m.sender.id && m.create_time - prev.create_time < GROUP_MS && !m.parent;
        return html`<${Message}
          key=${m.message_id}
          message=${m}
          grouped=${grouped}
          self=${m.sender.id === userId}
          focused=${m.message_id === focus}
          directory=${directory}
          userId=${userId}
          now=${now}
          onAct=${act}
        />`;
      })}
    </div>
    <${Composer} chat=${chat} directory=${directory} userId=${userId} onUser=${onUser} onSend=${send} />
  </section>`;
}
