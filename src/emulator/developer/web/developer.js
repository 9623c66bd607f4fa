/**
 * The Developer Console (开发者后台) in the web client: the tenant's apps and, for the one picked, its
 * permissions (权限管理) — every scope the emulated APIs take, grouped by product, with a checkbox
 * each — the people who authorised the app, and the calls refused for a missing scope.
 * Routes: `#/developer` (the first app), `#/developer/<app_id>?q=<scope,scope>` (the link a 99991672
 * answer carries: those scopes are marked). Data: `GET /__emulator/developer`, polled; saving is
 * `PUT /__emulator/apps/<app_id>/scopes {granted}`, "Restore default" is `DELETE`.
 */
import { html, loadStylesheet, showToast, useEffect, useJson, useMemo, useState } from '@emulator/page-kit';

await loadStylesheet(new URL('./developer.css', import.meta.url));

const send = async (url, method, body) => {
  const res = await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => ({}));
  return { ok: res.ok, json };
};

const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const countIn = (list, set) => list.filter((s) => set.has(s)).length;
const same = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
const appIcon = (name) => html`<div class="dev-icon" aria-hidden="true">${[...(name || '?')][0].toUpperCase()}</div>`;

/** One product's scopes: a tri-state group checkbox, then a row per scope. */
function ScopeGroup({ group, draft, toggle, setMany, marked, filter }) {
  const rows = group.scopes.filter((s) => !filter || s.scope.includes(filter) || s.name.toLowerCase().includes(filter));
  if (!rows.length) return null;
  const on = group.scopes.filter((s) => draft.has(s.scope)).length;
  const all = on === group.scopes.length;
  return html`<section class="dev-group" data-testid="scope-group" data-product=${group.product}>
    <header class="dev-group-head">
      <label class="dev-check">
        <input type="checkbox" checked=${all} ref=${(el) => el && (el.indeterminate = on > 0 && !all)} onChange=${() => setMany(group.scopes.map((s) => s.scope), !all)} aria-label=${`All ${group.title} scopes`} />
      </label>
      <span class="dev-group-title">${group.title}</span>
      <span class="dev-group-count">${on} of ${group.scopes.length} granted</span>
    </header>
    <ul class="dev-rows">
      ${rows.map(
        (s) => html`<li key=${s.scope} class=${`dev-row ${marked.has(s.scope) ? 'marked' : ''} ${draft.has(s.scope) ? '' : 'off'}`} data-testid="scope-row" data-scope=${s.scope}>
          <label class="dev-check">
            <input type="checkbox" checked=${draft.has(s.scope)} onChange=${() => toggle(s.scope)} data-testid="scope-checkbox" aria-label=${s.scope} />
          </label>
          <div class="dev-row-text">
            <div class="dev-row-name">${s.name || s.scope}${marked.has(s.scope) ? html` <span class="text-tag tag-orange">Asked for</span>` : ''}</div>
            <code class="dev-row-key">${s.scope}</code>
          </div>
          <details class="dev-apis">
            <summary>${s.apis.length} ${s.apis.length === 1 ? 'API' : 'APIs'}</summary>
            <ul>${s.apis.map((a) => html`<li key=${a}><code>${a}</code></li>`)}</ul>
          </details>
        </li>`,
      )}
    </ul>
  </section>`;
}

function Refusals({ refusals }) {
  return html`<section class="dev-card" data-testid="scope-refusals">
    <h3 class="dev-card-title">Refused calls <span class="dev-count">${refusals.length}</span></h3>
    ${refusals.length
      ? html`<ul class="dev-refusals">
          ${refusals.slice(0, 12).map(
            (r) => html`<li key=${r.log_id} class="dev-refusal" data-testid="scope-refusal" data-code=${r.code}>
              <div class="dev-refusal-line">
                <span class=${`text-tag ${r.code === 99991672 ? 'tag-red' : 'tag-orange'}`}>${r.code}</span>
                <span class="dev-refusal-kind">${r.token_type === 'user' ? 'user token' : 'tenant token'}</span>
                <span class="dev-refusal-time">${time(r.time)}</span>
              </div>
              <code class="dev-refusal-api">${r.method} ${r.path}</code>
              <div class="dev-refusal-why">
                ${r.code === 99991672 ? 'The app has none of' : 'The person did not grant any of'} ${r.required.map((s, i) => html`${i ? ', ' : ''}<code>${s}</code>`)}
              </div>
            </li>`,
          )}
        </ul>`
      : html`<div class="dev-none">No call has been refused for a missing scope.</div>`}
  </section>`;
}

function UserGrants({ grants }) {
  return html`<section class="dev-card" data-testid="scope-user-grants">
    <h3 class="dev-card-title">Authorised by people <span class="dev-count">${grants.length}</span></h3>
    ${grants.length
      ? html`<ul class="dev-grants">
          ${grants.map(
            (g) => html`<li key=${g.open_id} class="dev-grant">
              <div class="dev-grant-name">${g.name}</div>
              <div class="dev-grant-scopes">${g.scopes.map((s) => html`<code key=${s}>${s}</code>`)}</div>
            </li>`,
          )}
        </ul>`
      : html`<div class="dev-none">Nobody has logged in to this app yet. A user token carries the scopes the person granted on the consent page.</div>`}
  </section>`;
}

function Permissions({ app, catalog, marked, refusals, reload }) {
  const all = useMemo(() => catalog.products.flatMap((g) => g.scopes.map((s) => s.scope)), [catalog]);
  const effective = useMemo(() => new Set(app.granted === 'all' ? all : app.granted), [app.granted, all]);
  const [draft, setDraft] = useState(effective);
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState(false);
  // Follow the server (another tab, the control API, a reset) while nothing is being edited.
  const [base, setBase] = useState(effective);
  useEffect(() => {
    if (same(draft, base)) setDraft(effective);
    setBase(effective);
  }, [effective]);
  const dirty = !same(draft, effective);
  const toggle = (scope) => setDraft((d) => {
    const n = new Set(d);
    n.has(scope) ? n.delete(scope) : n.add(scope);
    return n;
  });
  const setMany = (scopes, on) => setDraft((d) => {
    const n = new Set(d);
    for (const s of scopes) on ? n.add(s) : n.delete(s);
    return n;
  });
  const save = async () => {
    setBusy(true);
    const r = await send(`/__emulator/apps/${encodeURIComponent(app.app_id)}/scopes`, 'PUT', { granted: [...draft] });
    setBusy(false);
    if (!r.ok) return showToast({ type: 'error', content: r.json.error ?? 'Could not save the scopes' });
    const revoked = [...effective].filter((s) => !draft.has(s)).length;
    const added = [...draft].filter((s) => !effective.has(s)).length;
    showToast({ type: 'success', content: `Scopes saved${revoked ? ` · ${revoked} revoked` : ''}${added ? ` · ${added} granted` : ''}` });
    reload();
  };
  const restore = async () => {
    setBusy(true);
    const r = await send(`/__emulator/apps/${encodeURIComponent(app.app_id)}/scopes`, 'DELETE');
    setBusy(false);
    if (!r.ok) return showToast({ type: 'error', content: r.json.error ?? 'Could not restore the default' });
    showToast({ type: 'success', content: 'Every scope granted again (the default)' });
    setDraft(new Set(all));
    reload();
  };
  // Opened from a refusal's link (`?q=`): bring the first scope asked for into view.
  const markedKey = [...marked].join(',');
  useEffect(() => {
    if (!markedKey) return;
    const first = [...marked].find((s) => all.includes(s));
    document.querySelector(`[data-testid="scope-row"][data-scope="${first}"]`)?.scrollIntoView({ block: 'center' });
  }, [markedKey]);
  const extra = app.granted === 'all' ? [] : app.granted.filter((s) => !all.includes(s));
  const granted = all.filter((s) => effective.has(s)).length;

  return html`<div class="dev-perms" data-testid="scopes-panel" data-app-id=${app.app_id}>
    <div class=${`dev-status ${app.granted === 'all' ? 'dev-status-default' : 'dev-status-set'}`} data-testid="scopes-status">
      ${app.granted === 'all'
        ? html`<span class="text-tag tag-green">All scopes</span>
            <span>The emulator's default: every API is open to this app and user tokens are not checked. Uncheck a scope and save to check every call, as the platform does.</span>`
        : html`<span class="text-tag tag-blue">${granted} of ${all.length} granted</span>
            <span>An API none of whose scopes is granted answers <b>99991672</b>; a user token also needs the person's grant (<b>99991679</b>).</span>
            <button class="btn btn-small" onClick=${restore} disabled=${busy} data-testid="scopes-restore">Restore default</button>`}
    </div>
    <div class="dev-toolbar">
      <input class="dev-search" type="search" placeholder="Search scopes" value=${filter} onInput=${(e) => setFilter(e.currentTarget.value.trim().toLowerCase())} aria-label="Search scopes" />
      <span class="dev-toolbar-gap"></span>
      ${dirty && html`<span class="dev-dirty" data-testid="scopes-dirty">Unsaved changes</span>`}
      <button class="btn btn-small" onClick=${() => setDraft(effective)} disabled=${!dirty || busy}>Discard</button>
      <button class="btn btn-small btn-primary-filled" onClick=${save} disabled=${!dirty || busy} data-testid="scopes-save">Save</button>
    </div>
    <div class="dev-groups">
      ${catalog.products.map((g) => html`<${ScopeGroup} key=${g.product} group=${g} draft=${draft} toggle=${toggle} setMany=${setMany} marked=${marked} filter=${filter} />`)}
      ${extra.length > 0 &&
      html`<section class="dev-group">
        <header class="dev-group-head"><span class="dev-group-title">Other granted scopes</span><span class="dev-group-count">no emulated API takes them</span></header>
        <div class="dev-extra">${extra.map((s) => html`<code key=${s}>${s}</code>`)}</div>
      </section>`}
    </div>
    <div class="dev-side-cards">
      <${Refusals} refusals=${refusals} />
      <${UserGrants} grants=${app.user_grants} />
    </div>
  </div>`;
}

export default function DeveloperConsole({ sub, params, hrefOf }) {
  const { data, error, reload } = useJson('/__emulator/developer', { pollMs: 1500 });
  if (!data)
    return html`<div class="page-status">${error ? html`<div class="page-status-title">The developer console is not answering</div><div>${error}</div>` : html`<span class="spinner"></span>`}</div>`;
  const picked = decodeURIComponent(sub.replace(/^\//, ''));
  const app = data.apps.find((a) => a.app_id === picked) ?? data.apps[0];
  const marked = new Set((params.get('q') ?? '').split(',').filter(Boolean));
  const refusals = data.refusals.filter((r) => r.app_id === app?.app_id);
  const total = new Set(data.catalog.products.flatMap((g) => g.scopes.map((s) => s.scope)));

  return html`<div class="dev" data-testid="developer-page">
    <aside class="sidebar dev-side">
      <div class="sidebar-head"><div class="sidebar-title">Developer Console</div></div>
      <div class="dev-section">Apps</div>
      <ul class="dev-apps">
        ${data.apps.map(
          (a) => html`<li key=${a.app_id}>
            <a class=${`dev-app ${a.app_id === app?.app_id ? 'selected' : ''}`} href=${hrefOf(`/${encodeURIComponent(a.app_id)}`)} data-testid="developer-app" data-app-id=${a.app_id}>
              ${appIcon(a.name)}
              <div class="dev-app-text">
                <div class="dev-app-name">
                  <span class="dev-app-name-text">${a.name}</span>
                  ${a.granted !== 'all' && html`<span class="dev-app-badge" title=${`${countIn(a.granted, total)} of ${total.size} scopes granted`}>${countIn(a.granted, total)}/${total.size}</span>`}
                </div>
                <div class="dev-app-id">${a.app_id}</div>
              </div>
            </a>
          </li>`,
        )}
      </ul>
      <div class="dev-side-foot">Every <code>/open-apis</code> call is checked against the app's scopes once they are narrowed. Control API: <code>/__emulator/apps/:app_id/scopes</code></div>
    </aside>
    <main class="dev-main">
      ${app
        ? html`<header class="dev-head">
              ${appIcon(app.name)}
              <div class="dev-head-text">
                <div class="dev-head-name">${app.name}</div>
                <div class="dev-head-sub">App ID <code>${app.app_id}</code> · ${app.type === 'store' ? 'Store app' : 'Custom app'}</div>
              </div>
            </header>
            <div class="dev-body">
              <h2 class="dev-h2">Permissions & Scopes</h2>
              <p class="dev-sub">The API scopes this app may use. Any one of an API's scopes lets it through; tenant tokens need the app's, user tokens the person's too.</p>
              <${Permissions} key=${app.app_id} app=${app} catalog=${data.catalog} marked=${marked} refusals=${refusals} reload=${reload} />
            </div>`
        : html`<div class="dev-none">No app.</div>`}
    </main>
  </div>`;
}
