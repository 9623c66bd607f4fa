/** Server-rendered pages of the authen product (authorize, errors, QR frame): the web client's look, no script needed. */

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LOGO = `<svg class="au-logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true"><rect width="32" height="32" rx="8" fill="#3370ff"/><path d="M9 11h14M9 16h10M9 21h6" stroke="white" stroke-width="3" stroke-linecap="round"/></svg>`;

/** A full page in the web client's styles (base.css) plus the product's own (web/authen.css). */
export function page(title: string, body: string, opts: { bodyClass?: string; head?: string } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Feishu</title>
<link rel="stylesheet" href="/__emulator/web/app/styles/base.css">
<link rel="stylesheet" href="/__emulator/web/pages/authen/authen.css">
${opts.head ?? ''}
</head>
<body class="${esc(opts.bodyClass ?? 'au-body')}">
${body}
</body>
</html>`;
}

/** The centred card every sign-in page uses, with the Feishu-like brand line on top. */
export function card(inner: string, testid: string): string {
  return `<main class="au-card" data-testid="${esc(testid)}">
  <div class="au-brand">${LOGO}<span>Feishu</span><span class="au-brand-sub">emulator</span></div>
  ${inner}
</main>`;
}

/** What the user sees when the request cannot go on (never a redirect to an unchecked URL). */
export function errorPage(code: number, message: string, detail?: string): string {
  return page(
    'Authorization failed',
    card(
      `<div class="au-error" data-testid="authen-error" data-error-code="${code}">
  <svg viewBox="0 0 48 48" width="48" height="48" aria-hidden="true"><circle cx="24" cy="24" r="22" fill="#fef1f1"/><path d="M24 13v14" stroke="#f54a45" stroke-width="4" stroke-linecap="round"/><circle cx="24" cy="34" r="2.6" fill="#f54a45"/></svg>
  <h1 class="au-title">Unable to authorize</h1>
  <p class="au-text">${esc(message)}</p>
  ${detail ? `<p class="au-detail">${esc(detail)}</p>` : ''}
  <p class="au-code">Error code: <code>${code}</code></p>
</div>`,
      'authen-error-page',
    ),
  );
}
