import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { avatarUrl, DirectoryState } from '../directory/index.js';
import type { UserRecord } from '../types.js';
import { errorPage, esc, page } from './html.js';
import { readAuthorizeRequest } from './authorize.js';
import { AuthenState } from './state.js';
import { CODE_TTL_MS, findUser, newTmpCode } from './tokens.js';

/** The user a QR scan stood for; a tmp_code is single use. */
export function tmpCodeUser(ctx: EmulatorContext, tmp: string): UserRecord | string {
  const rec = ctx.slice(AuthenState).tmpCodes.get(tmp);
  if (!rec) return 'The QR login (tmp_code) is not valid.';
  if (rec.used) return 'The QR login (tmp_code) has already been used.';
  if (rec.expiresAt <= ctx.clock.now()) return 'The QR login (tmp_code) has expired: scan again.';
  const user = findUser(ctx, rec.openId);
  if (!user || user.resigned) return 'The user who scanned cannot sign in.';
  rec.used = true;
  return user;
}

/** A QR-looking 29×29 matrix (finder squares and modules derived from the URL). Nothing can scan it. */
function qrSvg(seed: string, size: number): string {
  const n = 29;
  let bits = Buffer.alloc(0);
  for (let i = 0; bits.length < (n * n) / 8 + 1; i++) bits = Buffer.concat([bits, createHash('sha256').update(`${seed}:${i}`).digest()]);
  const finder = (x: number, y: number) => {
    for (const [fx, fy] of [[0, 0], [n - 7, 0], [0, n - 7]] as const) {
      const dx = x - fx;
      const dy = y - fy;
      if (dx >= -1 && dx <= 7 && dy >= -1 && dy <= 7) {
        if (dx < 0 || dy < 0 || dx > 6 || dy > 6) return 0;
        const edge = dx === 0 || dy === 0 || dx === 6 || dy === 6;
        const core = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
        return edge || core ? 1 : 0;
      }
    }
    return -1;
  };
  let rects = '';
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const f = finder(x, y);
      const i = y * n + x;
      const on = f === -1 ? (bits[i >> 3]! >> (i & 7)) & 1 : f;
      if (on) rects += `<rect x="${x + 2}" y="${y + 2}" width="1" height="1"/>`;
    }
  return `<svg class="au-qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n + 4} ${n + 4}" width="${size}" height="${size}" shape-rendering="crispEdges" role="img" aria-label="QR code"><rect width="100%" height="100%" fill="#fff"/><g fill="#1f2329">${rects}</g></svg>`;
}

/** The script a login page embeds instead of LarkSSOSDKWebQRCode: `window.QRLogin({id, goto, width, height, style})`. */
const QR_SDK = `(function () {
  var src = document.currentScript && document.currentScript.src;
  var origin = src ? new URL(src).origin : location.origin;
  window.QRLogin = function (opts) {
    opts = opts || {};
    var box = document.getElementById(opts.id);
    if (!box) throw new Error('QRLogin: no element with id ' + opts.id);
    var iframe = document.createElement('iframe');
    iframe.src = origin + '/__emulator/qrlogin/frame?goto=' + encodeURIComponent(opts.goto || '') + (opts.style ? '&style=' + encodeURIComponent(opts.style) : '');
    iframe.width = String(opts.width || 300);
    iframe.height = String(opts.height || 300);
    iframe.frameBorder = '0';
    iframe.setAttribute('scrolling', 'no');
    iframe.style.border = '0';
    iframe.title = 'Feishu QR login';
    box.appendChild(iframe);
    return {
      iframe: iframe,
      matchOrigin: function (o) { return o === origin; },
      matchData: function (d) { return !!d && typeof d === 'object' && typeof d.tmp_code === 'string' && d.tmp_code.length > 0; }
    };
  };
})();
`;

export function registerQrRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/__emulator/qrlogin.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('access-control-allow-origin', '*').send(QR_SDK),
  );

  app.get('/__emulator/qrlogin/frame', async (req, reply) => {
    const goto = String((req.query as Record<string, unknown>).goto ?? '');
    let appName: string;
    try {
      const u = new URL(goto);
      appName = readAuthorizeRequest(ctx, Object.fromEntries(u.searchParams)).appName;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const code = (e as { code?: number }).code ?? 20001;
      return reply.status(400).type('text/html; charset=utf-8').send(errorPage(code, `The QR login's goto is not a valid authorize URL: ${msg}`));
    }
    const users = ctx.slice(DirectoryState).users.filter((u) => !u.resigned);
    const buttons = users
      .map((u) => `<button type="button" class="au-scan" data-open-id="${esc(u.open_id)}"><img class="avatar avatar-20" src="${esc(avatarUrl(ctx, u.open_id, 40))}" alt="">Scan as ${esc(u.en_name || u.name)}</button>`)
      .join('');
    const body = `<div class="au-qrframe" data-testid="qr-frame">
  ${qrSvg(goto, 160)}
  <div class="au-qr-title">Scan with Feishu to log in to <strong>${esc(appName)}</strong></div>
  <div class="au-qr-hint">No phone here: pick who scans.</div>
  <div class="au-scans">${buttons}</div>
  <div class="au-qr-done" hidden data-testid="qr-done">Confirmed on the phone</div>
</div>
<script>
  var referrerOrigin = document.referrer ? new URL(document.referrer).origin : '*';
  document.querySelectorAll('.au-scan').forEach(function (b) {
    b.addEventListener('click', async function () {
      var res = await fetch('/__emulator/qrlogin/scan', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ open_id: b.dataset.openId, goto: ${JSON.stringify(goto)} }) });
      var json = await res.json();
      if (!res.ok) { alert(json.error || 'scan failed'); return; }
      document.querySelector('.au-scans').hidden = true;
      document.querySelector('.au-qr-done').hidden = false;
      window.parent.postMessage({ tmp_code: json.tmp_code }, referrerOrigin);
    });
  });
</script>`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page('QR login', body, { bodyClass: 'au-body au-body-frame' }));
  });

  /** The phone's side: the chosen user scanned and confirmed; the frame hands tmp_code to its parent. */
  app.post('/__emulator/qrlogin/scan', async (req, reply) => {
    const b = (req.body ?? {}) as { open_id?: unknown };
    const user = typeof b.open_id === 'string' ? findUser(ctx, b.open_id) : undefined;
    if (!user || user.resigned) return reply.status(400).send({ error: 'no such active user' });
    const tmpCode = newTmpCode();
    ctx.slice(AuthenState).tmpCodes.set(tmpCode, { tmpCode, openId: user.open_id, expiresAt: ctx.clock.now() + CODE_TTL_MS, used: false });
    return { tmp_code: tmpCode };
  });
}
