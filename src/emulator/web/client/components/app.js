import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { api } from '../lib/api.js';
import { Sidebar } from './sidebar.js';
import { ChatView } from './chat-view.js';
import { RequestLog } from './request-log.js';
import { ToastHost, showToast } from './toast.js';
import { ConfirmHost } from './dialog.js';
import { Rail, railItems } from './rail.js';
import { ProductPage } from './product-page.js';
import { currentHash, isPageHash, matchPage, pageHash, routeOf } from '../lib/router.js';

const POLL_MS = 500;
const MAX_CALLS = 500;

/** `#chat=oc_…&message=om_…` selects a chat and points at a message (card preview links). */
function readHash() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  return { chat: p.get('chat') ?? undefined, message: p.get('message') ?? undefined };
}

/** Polls the emulator and keeps what the page shows: chats, the open chat, the request log. */
function useEmulatorState(chatId) {
  const [data, setData] = useState(null);
  const [calls, setCalls] = useState([]);
  const [offline, setOffline] = useState(false);
  const chatRef = useRef(chatId);
  const sinceRef = useRef(0);
  const timer = useRef();
  chatRef.current = chatId;

  const busy = useRef(false);
  const again = useRef(false);
  const lastJson = useRef('');

  const refresh = useCallback(async () => {
    // One request at a time; a refresh asked for meanwhile runs right after.
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    clearTimeout(timer.current);
    try {
      const asked = chatRef.current;
      const res = await api.state(asked, sinceRef.current).catch(() => ({ error: 'offline' }));
      if (res.error) setOffline(true);
      else {
        setOffline(false);
        if (res.calls.length) {
          sinceRef.current = res.calls[res.calls.length - 1].id;
          setCalls((prev) => [...prev, ...res.calls].slice(-MAX_CALLS));
        }
        // Re-render only when something changed (the poll runs twice a second).
        const { calls: _c, now: _n, ...rest } = res;
        const json = JSON.stringify(rest);
        if (asked === chatRef.current && json !== lastJson.current) {
          lastJson.current = json;
          setData(res);
        }
      }
    } finally {
      busy.current = false;
    }
    if (again.current) {
      again.current = false;
      refresh();
    } else timer.current = setTimeout(refresh, POLL_MS);
  }, []);

  useEffect(() => {
    refresh();
    return () => clearTimeout(timer.current);
  }, [refresh]);
  useEffect(() => {
    refresh();
  }, [chatId]);

  return { data, calls, offline, refresh, clearCalls: () => setCalls([]) };
}

export function App() {
  const initial = readHash();
  const [chatId, setChatId] = useState(initial.chat);
  const [focus, setFocus] = useState(initial.message);
  const [userId, setUserId] = useState(undefined);
  const [logOpen, setLogOpen] = useState(() => localStorage.getItem('emu.log') === 'open');
  const { data, calls, offline, refresh, clearCalls } = useEmulatorState(chatId);
  const [hash, setHash] = useState(currentHash);

  useEffect(() => {
    const onHash = () => {
      setHash(currentHash());
      if (isPageHash(currentHash())) return;
      const h = readHash();
      if (h.chat) setChatId(h.chat);
      setFocus(h.message);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  // Open the most recent chat when none is chosen (or the chosen one is gone after a reset).
  useEffect(() => {
    if (!data) return;
    if (!chatId || !data.chats.some((c) => c.chat_id === chatId)) {
      const first = data.chats[0];
      if (first) setChatId(first.chat_id);
    }
  }, [data, chatId]);

  const chat = data?.chats.find((c) => c.chat_id === chatId);
  // Write and click as a member of the open chat: keep the chosen user if they are in it.
  useEffect(() => {
    if (!chat || !data) return;
    if (userId && chat.members.includes(userId)) return;
    const member = data.users.find((u) => chat.members.includes(u.open_id) && !u.resigned);
    if (member) setUserId(member.open_id);
  }, [chat?.chat_id, chat?.members.length, data?.users.length]);

  const toggleLog = () => {
    localStorage.setItem('emu.log', logOpen ? 'closed' : 'open');
    setLogOpen(!logOpen);
  };

  const selectChat = (id) => {
    setChatId(id);
    setFocus(undefined);
    history.replaceState(null, '', `#chat=${id}`);
    setHash(currentHash());
  };

  // The rail: the Messenger, then the products' pages; a `#/<page>` hash shows that page instead of the chats.
  const pages = data?.pages ?? [];
  const onPage = isPageHash(hash);
  const route = onPage ? matchPage(pages, hash) : undefined;
  const rail = railItems(pages, chatId ? `#chat=${chatId}` : '#', routeOf);
  const active = onPage ? route?.entry.product : 'messenger';
  const pageTitle = route?.entry.title;
  useEffect(() => {
    document.title = pageTitle ? `${pageTitle} · feishu-hub emulator` : 'feishu-hub emulator';
  }, [pageTitle]);

  const directory = useMemo(() => {
    if (!data) return undefined;
    const byId = new Map();
    for (const u of data.users) for (const id of [u.open_id, u.user_id, u.union_id]) byId.set(id, u.en_name || u.name);
    for (const b of data.bots) byId.set(b.open_id, b.name);
    const byEmail = new Map(data.users.map((u) => [u.email?.toLowerCase(), u.en_name || u.name]));
    return { users: data.users, bots: data.bots, nameOf: (id) => byId.get(id), nameByEmail: (e) => byEmail.get(String(e).toLowerCase()) };
  }, [data?.users, data?.bots]);

  return html`
    <div class="layout">
      <${Rail} items=${rail} active=${active} logOpen=${logOpen} onToggleLog=${toggleLog} />
      ${onPage
        ? html`<main class="page-main" data-page=${route?.entry.product}>
            ${route
              ? html`<${ProductPage}
                  key=${route.entry.product}
                  entry=${route.entry}
                  currentUser=${userId}
                  sub=${route.sub}
                  params=${route.params}
                  hrefOf=${(sub, params) => pageHash(route.entry, sub, params)}
                  navigate=${(sub, params) => (location.hash = pageHash(route.entry, sub, params))}
                />`
              : html`<div class="page-status">
                  ${data
                    ? html`<div class="page-status-title">No page at <code>${hash}</code></div>
                        <div class="page-status-text"><a class="md-link" href=${chatId ? `#chat=${chatId}` : '#'}>Back to the Messenger</a></div>`
                    : offline
                      ? 'The emulator is not answering…'
                      : html`<span class="spinner"></span>`}
                </div>`}
          </main>`
        : html`<${Sidebar} chats=${data?.chats ?? []} selected=${chatId} onSelect=${selectChat} offline=${offline} />
            <main class="main">
              ${chat && directory
                ? html`<${ChatView}
                    key=${chat.chat_id}
                    chat=${chat}
                    messages=${data.chat_id === chat.chat_id ? data.messages : []}
                    directory=${directory}
                    userId=${userId}
                    onUser=${setUserId}
                    focus=${focus}
                    now=${data.now}
                    refresh=${refresh}
                    logOpen=${logOpen}
                    onToggleLog=${toggleLog}
                  />`
                : html`<div class="empty-main">${data ? 'No chats yet' : offline ? 'The emulator is not answering…' : 'Loading…'}</div>`}
            </main>`}
      ${logOpen && html`<${RequestLog} calls=${calls} events=${data?.events ?? []} onClose=${toggleLog} onClear=${clearCalls} />`}
      <${ToastHost} />
      <${ConfirmHost} />
    </div>
  `;
}

export { showToast };
