/**
 * The script an H5 page includes to be signed in with no login page inside the Feishu client:
 * `<script src="https://hub.example.com/auth/h5.js"></script>`. It loads Feishu's JSSDK (or the
 * emulator's stand-in) if the page has not, waits for `h5sdk.ready`, asks `tt.requestAccess`
 * (older clients: `tt.requestAuthCode`) for a code, posts it to `/auth/h5` and reloads the page
 * signed in. Outside the client (no `window.h5sdk`) it sends the browser to the OAuth login,
 * unless the script tag says `data-fallback="none"`. Events on `window`: `feishu-hub:login`
 * (detail: the user), `feishu-hub:login-failed` (detail: the error).
 */
export function h5Snippet(o: { hub: string; appId: string; sdk: string; signedIn: boolean }): string {
  const cfg = JSON.stringify(o).replace(/</g, '\\u003c');
  return `/* feishu-hub in-client login (docs/identity.md) */
(function () {
  var cfg = ${cfg};
  var me = document.currentScript;
  var data = (me && me.dataset) || {};
  var emit = function (name, detail) { window.dispatchEvent(new CustomEvent('feishu-hub:' + name, { detail: detail })); };
  window.feishuHub = window.feishuHub || {};
  window.feishuHub.signedIn = cfg.signedIn;
  if (cfg.signedIn) { emit('ready', { signedIn: true }); return; }
  var appId = data.appId || cfg.appId;
  var fallback = function () {
    if (data.fallback === 'none') return emit('ready', { signedIn: false, inClient: false });
    window.location.href = cfg.hub + '/login/feishu?return_to=' + encodeURIComponent(window.location.pathname + window.location.search + window.location.hash);
  };
  var failed = function (err) { emit('login-failed', err); if (window.console) console.error('feishu-hub: in-client login failed', err); };
  var askCode = function (ok) {
    if (window.tt && typeof window.tt.requestAccess === 'function') {
      window.tt.requestAccess({ appID: appId, scopeList: [], success: function (res) { ok(res.code); }, fail: function (err) {
        // Clients before 6.9 know only requestAuthCode.
        if (err && err.errno === 103 && typeof window.tt.requestAuthCode === 'function') return legacy(ok);
        failed(err);
      } });
    } else legacy(ok);
  };
  var legacy = function (ok) {
    if (!window.tt || typeof window.tt.requestAuthCode !== 'function') return failed({ errMsg: 'no tt.requestAccess or tt.requestAuthCode in this client' });
    window.tt.requestAuthCode({ appId: appId, success: function (res) { ok(res.code); }, fail: failed });
  };
  var signIn = function (code) {
    fetch(cfg.hub + '/auth/h5', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code }) })
      .then(function (res) { return res.json(); })
      .then(function (body) {
        if (!body.ok) return failed(body);
        window.feishuHub.signedIn = true;
        emit('login', body.user);
        if (data.reload !== 'false') window.location.reload();
      }, failed);
  };
  var start = function () {
    if (!window.h5sdk) return fallback();
    window.h5sdk.ready(function () { askCode(signIn); });
  };
  if (window.h5sdk) return start();
  var s = document.createElement('script');
  s.src = cfg.sdk;
  s.onload = start;
  s.onerror = fallback;
  document.head.appendChild(s);
})();
`;
}
