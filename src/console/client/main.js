// The console shell: the nav of every registered capability's panels, and the selected panel's page.
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { html } from '@console/kit';

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [id, qs = ''] = raw.split('?');
  return { id: decodeURIComponent(id || ''), query: Object.fromEntries(new URLSearchParams(qs)) };
}

function hashOf(id, query = {}) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  return `#/${encodeURIComponent(id)}${qs ? `?${qs}` : ''}`;
}

async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 && body.login_url) location.href = body.login_url;
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body;
}

function Icon({ icon, title }) {
  if (icon && /^[Mm][\d\s.,-]/.test(icon)) {
    return html`<span class="nav-icon"><svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d=${icon} /></svg></span>`;
  }
  return html`<span class="nav-icon"><span class="nav-letter">${icon || title.slice(0, 1).toUpperCase()}</span></span>`;
}

function Toasts() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    const on = (e) => {
      const item = { ...e.detail, key: Math.random() };
      setItems((xs) => [...xs, item]);
      setTimeout(() => setItems((xs) => xs.filter((x) => x !== item)), 3500);
    };
    window.addEventListener('console-toast', on);
    return () => window.removeEventListener('console-toast', on);
  }, []);
  return html`<div class="toasts">${items.map((t) => html`<div key=${t.key} class=${`toast ${t.kind === 'error' ? 'error' : ''}`} data-testid="toast"><span class="dot"></span><span>${t.text}</span></div>`)}</div>`;
}

const modules = new Map();
function loadModule(url) {
  if (!modules.has(url)) modules.set(url, import(url));
  return modules.get(url);
}

function PanelView({ panel, query, session }) {
  const [Page, setPage] = useState(null);
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const qs = new URLSearchParams(query).toString();

  useEffect(() => {
    let live = true;
    setPage(null);
    loadModule(panel.module).then((m) => live && setPage(() => m.default), (err) => live && setState({ loading: false, data: null, error: `the panel's page did not load: ${err.message}` }));
    return () => void (live = false);
  }, [panel.module]);

  const reload = useCallback(async () => {
    try {
      const body = await getJson(`/console/api/panels/${encodeURIComponent(panel.id)}${qs ? `?${qs}` : ''}`);
      setState({ loading: false, data: body.data, error: null });
    } catch (err) {
      setState((s) => ({ ...s, loading: false, error: err.message }));
    }
  }, [panel.id, qs]);

  useEffect(() => {
    setState((s) => ({ ...s, loading: true }));
    void reload();
  }, [reload]);

  const setQuery = (next) => {
    location.hash = hashOf(panel.id, next);
  };
  const act = async (name, body = {}) => {
    const res = await fetch(`/console/api/panels/${encodeURIComponent(panel.id)}/actions/${encodeURIComponent(name)}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': session.csrf ?? '' },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    await reload();
    if (!res.ok) throw new Error(answer.message || `HTTP ${res.status}`);
    return answer.result;
  };

  let body;
  if (state.error && !state.data) body = html`<div class="status"><div class="status-title">This panel could not load</div><div class="error-text">${state.error}</div></div>`;
  else if (!Page || (state.loading && state.data === null)) body = html`<div class="status">Loading…</div>`;
  else body = html`<${Page} data=${state.data} query=${query} setQuery=${setQuery} reload=${reload} act=${act} user=${session.user} panel=${panel} />`;
  return html`<section class="main-panel" data-testid=${`panel-${panel.id}`} style="display:contents">
    <header class="panel-head"><h1 class="panel-title">${panel.title}</h1><span class="muted">from the ${panel.capability} capability</span></header>
    <div class="panel-body">${body}</div>
  </section>`;
}

function App() {
  const [session, setSession] = useState(null);
  const [error, setError] = useState(null);
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    getJson('/console/api/session').then(setSession, (err) => setError(err.message));
    const on = () => setRoute(parseHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  if (error) return html`<div class="status"><div class="status-title">The console could not start</div><div class="error-text">${error}</div></div>`;
  if (!session) return html`<div class="status">Loading…</div>`;
  const panel = session.panels.find((p) => p.id === route.id) ?? session.panels[0];
  const { user } = session;
  return html`<div class="console">
    <nav class="nav" data-testid="console-nav">
      <div class="nav-brand"><span class="nav-logo">F</span><span>feishu-hub<small>console</small></span></div>
      ${session.panels.map((p) => html`<a key=${p.id} class=${`nav-item ${p === panel ? 'active' : ''}`} href=${hashOf(p.id)} data-testid="nav-item" data-panel=${p.id}><${Icon} icon=${p.icon} title=${p.title} /><span>${p.title}</span></a>`)}
      <div class="nav-spacer"></div>
      <div class="nav-user" data-testid="console-user"><b>${user.name}</b>${user.email && user.email !== user.name ? html`<div>${user.email}</div>` : null}${user.sandbox ? html`<a href=${session.login_url}>Log in with Feishu</a>` : html`<a href="/logout">Log out</a>`}</div>
    </nav>
    <main class="main">
      ${user.sandbox ? html`<div class="banner" data-testid="sandbox-banner"><b>Sandbox</b> — you are signed in automatically as the demo admin ${user.name}, because the hub runs against the local Feishu. <a href=${session.login_url}>Log in as someone else</a></div>` : null}
      ${panel ? html`<${PanelView} key=${panel.id} panel=${panel} query=${panel.id === route.id ? route.query : {}} session=${session} />` : html`<div class="status"><div class="status-title">No panels</div><div>No registered capability declares a console panel.</div></div>`}
    </main>
    <${Toasts} />
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
