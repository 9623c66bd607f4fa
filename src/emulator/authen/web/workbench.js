/**
 * The Workbench (工作台) in the web client: the tenant's apps with an H5 home page, opened in an
 * iframe as the signed-in person, with the JSAPI bridge `/__emulator/h5sdk.js` talks to
 * (h5sdk.ready/config, tt.requestAccess, requestAuthCode, getUserInfo, getLocation, chooseImage,
 * showToast). Route: `#/workbench?app=<app_id>&as=<open_id>`. Data: `GET /__emulator/workbench`.
 * "Signed in as" starts as the Messenger's current user (`currentUser`) and can be changed here.
 */
import { html, loadStylesheet, showToast, useEffect, useJson, useRef, useState } from '@emulator/page-kit';

await loadStylesheet(new URL('./workbench.css', import.meta.url));

const STORE = 'emu.workbench.as';
const FRAME_PREFIX = 'feishu-emulator-workbench|';
/** JSAPIs that need a successful h5sdk.config first (requestAccess/requestAuthCode do not). */
const NEEDS_CONFIG = new Set(['getUserInfo', 'getLocation', 'chooseImage']);

const post = async (url, body, method = 'POST') => {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  return { ok: res.ok, json };
};

const fail = (errno, errString) => ({ errno, errString, errMsg: errString });

/** Answers one bridge call from the app's frame. */
async function answer(method, params, ctx) {
  const { app, user, location, origin, configured } = ctx;
  if (NEEDS_CONFIG.has(method) && !configured.current) throw fail(104, `${method}: call h5sdk.config first (JSAPI authentication)`);
  switch (method) {
    case 'hello':
      return { appId: app.app_id };
    case 'config': {
      const r = await post('/__emulator/h5/config', { app_id: params.appId, url: ctx.url, timestamp: params.timestamp, nonce_str: params.nonceStr, signature: params.signature });
      if (!r.ok) throw fail(r.json.errno ?? 103, r.json.errString ?? 'config failed');
      if (params.appId !== app.app_id) throw fail(103, `config failed: appId ${params.appId} is not the app opened (${app.app_id})`);
      configured.current = true;
      return { errMsg: 'config:ok' };
    }
    case 'requestAccess':
    case 'requestAuthCode': {
      const asked = method === 'requestAccess' ? params.appID : params.appId;
      if (asked !== app.app_id) throw fail(103, `${method}: ${method === 'requestAccess' ? 'appID' : 'appId'} ${asked ?? '(missing)'} is not this app (${app.app_id})`);
      const r = await post('/__emulator/h5/code', { app_id: app.app_id, user: user.open_id, scopes: Array.isArray(params.scopeList) ? params.scopeList : [] });
      if (!r.ok) throw fail(r.json.errno ?? 103, r.json.errString ?? `${method} failed`);
      return { code: r.json.code, errMsg: `${method}:ok` };
    }
    case 'getUserInfo':
      return { userInfo: { nickName: user.name, avatarUrl: user.avatar, i18nName: { en_us: user.name } }, errMsg: 'getUserInfo:ok' };
    case 'getLocation':
      return { ...location, altitude: 0, verticalAccuracy: 0, horizontalAccuracy: location.accuracy, type: params.type || 'wgs84', timestamp: Date.now(), errMsg: 'getLocation:ok' };
    case 'chooseImage': {
      const count = Math.max(1, Math.min(9, Number(params.count) || 1));
      const paths = Array.from({ length: Math.min(count, 3) }, (_, i) => `${origin}/__emulator/h5/images/${i}`);
      showToast({ type: 'info', content: `${app.name} picked ${paths.length} image${paths.length > 1 ? 's' : ''}` });
      return { tempFilePaths: paths, tempFiles: paths.map((path) => ({ path, size: 2048 })), errMsg: 'chooseImage:ok' };
    }
    case 'showToast':
      showToast({ type: params.icon === 'error' ? 'error' : params.icon === 'success' ? 'success' : 'info', content: String(params.title ?? '') });
      return { errMsg: 'showToast:ok' };
    case 'getSystemInfo':
      return { platform: 'web', brand: 'feishu-hub emulator', model: 'Workbench', language: navigator.language, windowWidth: ctx.frame?.clientWidth, windowHeight: ctx.frame?.clientHeight, errMsg: 'getSystemInfo:ok' };
    default:
      throw fail(105, `${method} is not supported by the emulator`);
  }
}

function AppFrame({ app, user, location, onClose }) {
  const frame = useRef();
  const configured = useRef(false);
  const [reloads, setReloads] = useState(0);
  const [calls, setCalls] = useState([]);
  const live = useRef({});
  live.current = { app, user, location, origin: window.location.origin };

  useEffect(() => {
    configured.current = false;
    setCalls([]);
    const onMessage = async (e) => {
      if (!frame.current || e.source !== frame.current.contentWindow) return;
      const d = e.data;
      if (!d || d.__feishuBridge !== 'call') return;
      // The URL h5sdk.config signs is the page's own: it must be of the frame's origin.
      let url = '';
      try {
        url = new URL(d.url).origin === e.origin ? d.url : '';
      } catch {}
      const reply = (body) => e.source.postMessage({ __feishuBridge: 'reply', id: d.id, ...body }, e.origin);
      try {
        const result = await answer(d.method, d.params ?? {}, { ...live.current, configured, url, frame: frame.current });
        if (d.method !== 'hello') setCalls((c) => [...c.slice(-5), { method: d.method, ok: true }]);
        reply({ ok: true, result });
      } catch (err) {
        setCalls((c) => [...c.slice(-5), { method: d.method, ok: false, error: err?.errString ?? String(err) }]);
        reply({ ok: false, error: err?.errno ? err : fail(100, String(err?.message ?? err)) });
      }
    };
    addEventListener('message', onMessage);
    return () => removeEventListener('message', onMessage);
  }, [app.app_id, user.open_id, reloads]);

  return html`<section class="wb-open" data-testid="workbench-app" data-app-id=${app.app_id}>
    <header class="wb-open-head">
      <div class="wb-icon wb-icon-small" aria-hidden="true">${[...app.name][0]?.toUpperCase()}</div>
      <div class="wb-open-title">
        <div class="wb-open-name">${app.name}</div>
        <div class="wb-open-url" title=${app.home_url}>${app.home_url}</div>
      </div>
      <div class="wb-calls" aria-label="JSAPI calls">
        ${calls.map((c, i) => html`<span key=${i} class=${`text-tag ${c.ok ? 'wb-call-ok' : 'wb-call-fail'}`} title=${c.error ?? 'ok'}>${c.method}</span>`)}
      </div>
      <button class="btn btn-small" onClick=${() => setReloads((n) => n + 1)} data-action="reload">Reload</button>
      <button class="btn btn-small" onClick=${onClose} data-action="close">Close</button>
    </header>
    <iframe
      key=${`${app.app_id}:${user.open_id}:${reloads}`}
      ref=${frame}
      class="wb-frame"
      src=${app.home_url}
      name=${`${FRAME_PREFIX}${window.location.origin}|${app.app_id}`}
      title=${app.name}
      data-testid="workbench-frame"
      allow="geolocation; clipboard-write"
    ></iframe>
  </section>`;
}

function HomeUrlForm({ apps, reload }) {
  const [appId, setAppId] = useState(apps[0]?.app_id ?? '');
  const [url, setUrl] = useState('');
  const save = async (e) => {
    e.preventDefault();
    const r = await post(`/__emulator/apps/${encodeURIComponent(appId)}/h5`, { home_url: url || null }, 'PUT');
    if (!r.ok) return showToast({ type: 'error', content: r.json.error ?? 'Could not save' });
    showToast({ type: 'success', content: url ? 'H5 home page saved' : 'H5 home page removed' });
    setUrl('');
    reload();
  };
  return html`<form class="wb-form" onSubmit=${save} data-testid="workbench-h5-form">
    <div class="wb-form-title">H5 home page (developer console)</div>
    <select class="wb-input" value=${appId} onChange=${(e) => setAppId(e.currentTarget.value)} aria-label="App">
      ${apps.map((a) => html`<option key=${a.app_id} value=${a.app_id}>${a.name}</option>`)}
    </select>
    <input class="wb-input" type="url" placeholder="https://app.example.com/" value=${url} onInput=${(e) => setUrl(e.currentTarget.value)} aria-label="Home URL" />
    <button class="btn btn-small btn-primary" type="submit">Save</button>
  </form>`;
}

export default function WorkbenchPage({ entry, params, navigate, currentUser }) {
  const as = params.get('as') || currentUser || localStorage.getItem(STORE) || '';
  const { data, error, reload } = useJson(`/__emulator/workbench${as ? `?user=${encodeURIComponent(as)}` : ''}`);
  const user = data?.user;
  useEffect(() => {
    if (user && params.get('as')) localStorage.setItem(STORE, user.open_id);
  }, [user?.open_id]);

  if (!data)
    return html`<div class="page-status">${error ? html`<div class="page-status-title">The Workbench is not answering</div><div>${error}</div>` : html`<span class="spinner"></span>`}</div>`;

  const withH5 = data.apps.filter((a) => a.home_url);
  const open = withH5.find((a) => a.app_id === params.get('app'));
  const go = (extra) => navigate('', { as: user?.open_id ?? '', ...extra });

  return html`<div class="wb" data-testid="workbench-page">
    <aside class="sidebar wb-side">
      <div class="sidebar-head">
        <div class="sidebar-title">${entry.title}</div>
        ${user &&
        html`<label class="wb-as">
          <span class="wb-as-label">Signed in as</span>
          <img class="avatar avatar-20" src=${user.avatar} alt="" />
          <select class="user-picker" value=${user.open_id} onChange=${(e) => navigate('', { as: e.currentTarget.value, ...(open ? { app: open.app_id } : {}) })} data-testid="workbench-user" aria-label="Signed in as">
            ${data.users.map((u) => html`<option key=${u.open_id} value=${u.open_id}>${u.name}</option>`)}
          </select>
        </label>`}
      </div>
      <div class="wb-section">Apps</div>
      <ul class="wb-apps">
        ${withH5.map(
          (a) => html`<li key=${a.app_id}>
            <button class=${`wb-app ${open?.app_id === a.app_id ? 'selected' : ''}`} onClick=${() => go({ app: a.app_id })} data-testid="workbench-app-tile" data-app-id=${a.app_id}>
              <div class="wb-icon" aria-hidden="true">${[...a.name][0]?.toUpperCase()}</div>
              <div class="wb-app-text"><div class="wb-app-name">${a.name}</div><div class="wb-app-url">${a.home_url}</div></div>
            </button>
          </li>`,
        )}
        ${!withH5.length && html`<li class="wb-none">No app has an H5 home page yet.</li>`}
      </ul>
      <${HomeUrlForm} apps=${data.apps} reload=${reload} />
    </aside>
    <main class="wb-main">
      ${open && user
        ? html`<${AppFrame} key=${open.app_id} app=${open} user=${user} location=${data.location} onClose=${() => go({})} />`
        : html`<div class="wb-grid-wrap">
            <h2 class="wb-h2">Workbench</h2>
            <p class="wb-sub">Apps open here inside the client: their pages get <code>window.h5sdk</code> and <code>window.tt</code> from <code>/__emulator/h5sdk.js</code> and log in without a login page.</p>
            <div class="wb-grid">
              ${withH5.map(
                (a) => html`<button key=${a.app_id} class="wb-card" onClick=${() => go({ app: a.app_id })} data-testid="workbench-card" data-app-id=${a.app_id}>
                  <div class="wb-icon wb-icon-large" aria-hidden="true">${[...a.name][0]?.toUpperCase()}</div>
                  <div class="wb-card-name">${a.name}</div>
                </button>`,
              )}
            </div>
          </div>`}
    </main>
  </div>`;
}
