const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `*{box-sizing:border-box}body{margin:0;font:14px/22px -apple-system,BlinkMacSystemFont,"Helvetica Neue","PingFang SC","Noto Sans CJK SC","Segoe UI",Arial,sans-serif;color:#1f2329;background:#f5f6f7}
main{max-width:560px;margin:12vh auto;padding:32px 36px;background:#fff;border-radius:8px;border:1px solid #dee0e3}
h1{font-size:20px;line-height:28px;margin:0 0 8px}p{margin:8px 0;color:#646a73}code{background:#eff0f1;border-radius:4px;padding:1px 5px;font-size:13px}
.actions{display:flex;gap:12px;margin-top:20px}.btn{display:inline-flex;align-items:center;height:32px;padding:0 14px;border-radius:6px;border:1px solid #3370ff;background:#3370ff;color:#fff;text-decoration:none}
.btn.secondary{background:#fff;color:#1f2329;border-color:#dee0e3}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · feishu-hub console</title><style>${STYLE}</style></head><body><main data-testid="console-refused">${body}</main></body></html>`;
}

/** A signed-in person who is not an admin of this hub. */
export function forbiddenPage(o: { name: string; email?: string; loginHref: string }): string {
  return page(
    'Admins only',
    `<h1>Admins only</h1><p>You are signed in as <b>${esc(o.name)}</b>${o.email ? ` (${esc(o.email)})` : ''}, who is not an admin of this hub's console.</p>
<p>An admin can add you to <code>console.admins</code> (or <code>sso.admins</code>) in feishu-hub.yaml, by email or open_id, and restart the hub.</p>
<div class="actions"><a class="btn" href="${esc(o.loginHref)}">Log in as someone else</a><a class="btn secondary" href="/me">My account</a></div>`,
  );
}

/** No Feishu login configured: nobody can be told apart, so nobody gets in. */
export function offPage(why: string): string {
  return page('Console unavailable', `<h1>Console unavailable</h1><p>${esc(why)}.</p><p>Add an <code>sso:</code> section with <code>admins:</code> to feishu-hub.yaml and set <code>HUB_SESSION_SECRET</code>; see docs/console.md.</p>`);
}
