/** The provider's few HTML pages (logout confirmation, signed out, errors) and the demo app's. */

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Segoe UI",Roboto,sans-serif;background:#f5f6f7;color:#1f2329;margin:0}
main{max-width:560px;margin:64px auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(31,35,41,.08);padding:32px}
h1{font-size:20px;margin:0 0 12px}p{line-height:1.6;color:#4e5969}
button,a.button{display:inline-block;font-size:14px;padding:8px 16px;border-radius:6px;border:1px solid #d0d3d6;background:#fff;color:#1f2329;cursor:pointer;text-decoration:none;margin-right:8px}
button.primary,a.button.primary{background:#3370ff;border-color:#3370ff;color:#fff}
table{border-collapse:collapse;width:100%;margin:12px 0;font-size:14px;table-layout:fixed}td{word-break:break-all}td,th{border-bottom:1px solid #eff0f1;padding:6px 8px;text-align:left;vertical-align:top}th{color:#646a73;font-weight:500;width:35%}
code,pre{font-family:ui-monospace,Menlo,monospace;font-size:12px}pre{background:#f5f6f7;padding:12px;border-radius:6px;overflow:auto;white-space:pre-wrap;word-break:break-all}
.muted{color:#8f959e;font-size:13px}`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** RP-initiated logout: oidc-provider's form (with its xsrf token) and two buttons. */
export function logoutPage(form: string, clientName: string | undefined): string {
  return page(
    'Sign out',
    `<h1>Sign out${clientName ? ` of ${esc(clientName)}` : ''}?</h1>
<p>You will also be signed out of the hub, so the next app you open through it asks you to log in with Feishu again.</p>
${form}
<button autofocus class="primary" type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}

export function signedOutPage(clientName: string | undefined): string {
  return page('Signed out', `<h1>Signed out</h1><p>You signed out${clientName ? ` of ${esc(clientName)}` : ''}. You can close this page.</p>`);
}

export function errorPage(error: string, description: string | undefined): string {
  return page('Sign-in problem', `<h1>Sign-in problem</h1><p>${esc(description ?? error)}</p><p class="muted">error: <code>${esc(error)}</code>. Go back to the app and try again; if it keeps happening, tell whoever runs the hub.</p>`);
}
