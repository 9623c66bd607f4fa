/**
 * `/__emulator/h5sdk.js`: the emulator's stand-in for Feishu's h5-js-sdk. Inside the Workbench's
 * iframe (the frame's name says so) it defines `window.h5sdk` and `window.tt`, whose calls go by
 * postMessage to the Workbench page, which answers them as the signed-in person; anywhere else it
 * defines nothing, like the real SDK outside the client.
 */
export const WORKBENCH_FRAME_PREFIX = 'feishu-emulator-workbench|';

export const H5SDK_JS = `(function () {
  var PREFIX = ${JSON.stringify(WORKBENCH_FRAME_PREFIX)};
  if (window.parent === window || typeof window.name !== 'string' || window.name.indexOf(PREFIX) !== 0) return;
  if (window.h5sdk && window.tt) return;
  var parentOrigin = window.name.slice(PREFIX.length).split('|')[0];
  var seq = 0;
  var pending = {};
  window.addEventListener('message', function (e) {
    if (e.source !== window.parent || e.origin !== parentOrigin) return;
    var d = e.data;
    if (!d || d.__feishuBridge !== 'reply' || !pending[d.id]) return;
    var done = pending[d.id];
    delete pending[d.id];
    done(d);
  });
  function call(method, params) {
    return new Promise(function (resolve, reject) {
      var id = ++seq;
      pending[id] = function (d) { if (d.ok) resolve(d.result); else reject(d.error); };
      window.parent.postMessage({ __feishuBridge: 'call', id: id, method: method, params: params || {}, url: location.href.split('#')[0] }, parentOrigin);
    });
  }
  function api(method) {
    return function (opts) {
      opts = opts || {};
      var params = {};
      for (var k in opts) if (typeof opts[k] !== 'function') params[k] = opts[k];
      var p = call(method, params);
      p.then(
        function (res) { if (opts.success) opts.success(res); if (opts.complete) opts.complete(res); },
        function (err) { if (opts.fail) opts.fail(err); if (opts.complete) opts.complete(err); }
      );
      p.catch(function () {});
    };
  }
  var ready = false;
  var readyCallbacks = [];
  var errorCallbacks = [];
  call('hello', {}).then(function () {
    ready = true;
    readyCallbacks.splice(0).forEach(function (cb) { try { cb(); } catch (e) { console.error(e); } });
  });
  window.h5sdk = {
    ready: function (cb) { if (ready) setTimeout(cb, 0); else readyCallbacks.push(cb); },
    config: function (o) {
      o = o || {};
      call('config', { appId: o.appId, timestamp: o.timestamp, nonceStr: o.nonceStr, signature: o.signature, jsApiList: o.jsApiList || [] }).then(
        function (res) { if (o.onSuccess) o.onSuccess(res); },
        function (err) { if (o.onFail) o.onFail(err); errorCallbacks.forEach(function (cb) { cb(err); }); }
      );
    },
    error: function (cb) { errorCallbacks.push(cb); }
  };
  var names = ['requestAccess', 'requestAuthCode', 'getUserInfo', 'getLocation', 'chooseImage', 'showToast', 'getSystemInfo'];
  window.tt = {};
  names.forEach(function (n) { window.tt[n] = api(n); });
})();
`;
