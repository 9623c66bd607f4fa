import type { HubUser } from './types.js';

export const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
  *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2329;background:#f5f6f7}
  main{max-width:560px;margin:8vh auto;padding:32px 36px;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(31,35,41,.08)}
  h1{font-size:22px;margin:0 0 8px}p{margin:8px 0}.muted{color:#646a73;font-size:13px}
  .btn{display:inline-block;border:0;border-radius:6px;padding:9px 18px;font:inherit;cursor:pointer;text-decoration:none;background:#3370ff;color:#fff}
  .btn.secondary{background:#fff;color:#1f2329;border:1px solid #d0d3d6}.btn.danger{background:#f54a45}
  .row{display:flex;gap:16px;align-items:center}.avatar{width:64px;height:64px;border-radius:50%;background:#e8f0ff}
  dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:16px 0}dt{color:#646a73}dd{margin:0;word-break:break-all}
  pre{background:#f5f6f7;border-radius:6px;padding:12px;font-size:12px;overflow:auto;max-height:240px}
  #qr{margin:16px 0;min-height:40px}#qr iframe{display:block}.or{margin:20px 0 4px;color:#646a73;font-size:13px}
  .actions{display:flex;gap:12px;flex-wrap:wrap;margin-top:20px}
`;

export function layout(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style>${head}</head><body><main>${body}</main></body></html>`;
}

/** An error page: what happened and what to do, never the details an attacker would like. */
export function messagePage(title: string, text: string, action?: { href: string; label: string }): string {
  return layout(title, `<h1>${esc(title)}</h1><p>${esc(text)}</p>${action ? `<div class="actions"><a class="btn" href="${esc(action.href)}">${esc(action.label)}</a></div>` : ''}`);
}

export function loginPage(o: { loginHref: string; qr?: { sdk: string; goto: string }; user?: HubUser; returnTo: string }): string {
  const signedIn = o.user ? `<p class="muted">You are signed in as ${esc(o.user.name)}. <a href="${esc(o.returnTo)}">Continue</a></p>` : '';
  const qr = o.qr
    ? `<p class="or">or scan with the Feishu app</p><div id="qr"></div>
<script src="${esc(o.qr.sdk)}"></script>
<script>
(function () {
  var goto = ${JSON.stringify(o.qr.goto).replace(/</g, '\\u003c')};
  if (!window.QRLogin) { document.getElementById('qr').textContent = 'QR login is unavailable (the QR SDK did not load).'; return; }
  var qr = window.QRLogin({ id: 'qr', goto: goto, width: '320', height: '380' });
  window.addEventListener('message', function (event) {
    if (qr.matchOrigin(event.origin) && qr.matchData(event.data)) window.location.href = goto + '&tmp_code=' + encodeURIComponent(event.data.tmp_code);
  });
})();
</script>`
    : '';
  return layout('Log in', `<h1>Log in</h1><p class="muted">This hub uses your Feishu account.</p>${signedIn}<div class="actions"><a class="btn" id="login-feishu" href="${esc(o.loginHref)}">Log in with Feishu</a></div>${qr}`);
}

const when = (ms?: number) => (ms ? `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC (in ${Math.max(0, Math.round((ms - Date.now()) / 60_000))} min)` : '—');

export function mePage(o: { user: HubUser; csrf: string; accessExpiresAt?: number; refreshExpiresAt?: number }): string {
  const u = o.user;
  const avatar = u.avatar_url ? `<img class="avatar" src="${esc(u.avatar_url)}" alt="">` : `<div class="avatar"></div>`;
  return layout(
    `Signed in as ${u.name}`,
    `<div class="row">${avatar}<div><h1 id="signed-in">Signed in as ${esc(u.name)}</h1><p class="muted">${esc(u.en_name ?? '')}${u.email ? ` · ${esc(u.email)}` : ''}</p></div></div>
<dl>
  <dt>open_id</dt><dd id="open-id">${esc(u.open_id)}</dd>
  <dt>union_id</dt><dd>${esc(u.union_id)}</dd>
  <dt>System user</dt><dd id="system-user">${esc(u.system_user ?? '(not bound)')}</dd>
  <dt>Admin</dt><dd>${u.admin ? 'yes' : 'no'}</dd>
  <dt>Access token expires</dt><dd id="access-expiry">${esc(when(o.accessExpiresAt))}</dd>
  <dt>Refresh token expires</dt><dd>${esc(when(o.refreshExpiresAt))}</dd>
</dl>
<div class="actions">
  <button class="btn secondary" id="call-feishu" type="button">Call Feishu as me</button>
  <form method="post" action="/logout"><input type="hidden" name="csrf" value="${esc(o.csrf)}"><button class="btn danger" id="logout" type="submit">Log out</button></form>
</div>
<pre id="feishu-answer" hidden></pre>
<script>
document.getElementById('call-feishu').addEventListener('click', async function () {
  var out = document.getElementById('feishu-answer');
  out.hidden = false; out.textContent = 'calling authen/v1/user_info with your user_access_token…';
  var res = await fetch('/me/feishu', { headers: { accept: 'application/json' } });
  out.textContent = 'HTTP ' + res.status + '\\n' + JSON.stringify(await res.json(), null, 2);
});
</script>`,
  );
}

export function logoutPage(o: { user?: HubUser; csrf?: string }): string {
  if (!o.user) return messagePage('Signed out', 'You are not signed in.', { href: '/login', label: 'Log in' });
  return layout('Log out', `<h1>Log out?</h1><p>You are signed in as ${esc(o.user.name)}.</p><form method="post" action="/logout"><input type="hidden" name="csrf" value="${esc(o.csrf ?? '')}"><div class="actions"><button class="btn danger" id="logout" type="submit">Log out</button><a class="btn secondary" href="/">Cancel</a></div></form>`);
}

/** The demo H5 page (an app's home page in the Feishu client's Workbench): signed in with no login page. */
export function h5DemoPage(o: { user?: HubUser }): string {
  if (o.user) {
    return layout(`Signed in as ${o.user.name}`, `<div class="row">${o.user.avatar_url ? `<img class="avatar" src="${esc(o.user.avatar_url)}" alt="">` : ''}<div><h1 id="signed-in">Signed in as ${esc(o.user.name)}</h1><p class="muted">in the Feishu client, with no login page (tt.requestAccess → POST /auth/h5)</p></div></div><dl><dt>open_id</dt><dd>${esc(o.user.open_id)}</dd><dt>System user</dt><dd>${esc(o.user.system_user ?? '(not bound)')}</dd></dl>`);
  }
  return layout('Signing in…', `<h1 id="signing-in">Signing in with Feishu…</h1><p class="muted">Inside the Feishu client this page signs you in by itself; in a browser it sends you to the Feishu login.</p><script src="/auth/h5.js"></script>`);
}
