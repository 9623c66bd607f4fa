/**
 * A browser's cookie jar and redirect following, over real HTTP (no browser engine): enough for
 * the OIDC redirect dance between a relying party, the hub and the emulator. Cookies are per host
 * (not per port, as in browsers), with path scoping, expiry and deletion.
 */
interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expires?: number;
}

export class Browser {
  private cookies: Cookie[] = [];
  /** Every URL visited, in order (redirects included). */
  readonly visited: string[] = [];

  cookieHeader(url: URL): string {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies
      .filter((c) => c.host === url.hostname && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/'))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  cookieNames(host = '127.0.0.1'): string[] {
    return this.cookies.filter((c) => c.host === host).map((c) => c.name);
  }

  private store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expires: number | undefined;
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        if (/^path$/i.test(k)) path = v || '/';
        if (/^expires$/i.test(k)) expires = new Date(v).getTime();
        if (/^max-age$/i.test(k)) expires = Date.now() + Number(v) * 1000;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.host === url.hostname && c.path === path));
      if (expires !== undefined && expires <= Date.now()) continue;
      this.cookies.push({ name, value, host: url.hostname, path, expires });
    }
  }

  /** One request, no redirect following; cookies sent and stored. */
  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('cookie', cookie);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml');
    this.visited.push(`${init.method ?? 'GET'} ${url.href}`);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, res.headers);
    return res;
  }

  /**
   * Follows redirects from `start` until `stop(url)` says a Location is the destination (returned
   * unvisited, like a relying party's callback nobody serves here) or a non-redirect answer comes.
   * `rewrite` may change a Location before it is followed (e.g. add `login_as=` on the emulator's page).
   */
  async follow(start: string | URL, o: { stop?: (url: URL) => boolean; rewrite?: (url: URL) => URL; init?: RequestInit; max?: number } = {}): Promise<{ url: URL; response?: Response }> {
    let url = new URL(start);
    let init = o.init;
    for (let i = 0; i < (o.max ?? 20); i++) {
      const res = await this.fetch(url, init);
      if (res.status === 200 && /html/.test(res.headers.get('content-type') ?? '')) {
        // A page that submits its form by script at load (oidc-provider's form_post pages): do as a browser does.
        const html = await res.text();
        const auto = /document\.forms\[0\]\.submit\(\)/.test(html) && /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
        if (!auto) return { url, response: new Response(html, { status: res.status, headers: res.headers }) };
        const fields = Object.fromEntries([...auto[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)].map((m) => [m[1], m[2]]));
        url = new URL(auto[1].replace(/&amp;/g, '&'), url);
        init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) };
        if (o.stop?.(url)) return { url };
        continue;
      }
      if (res.status < 300 || res.status >= 400) return { url, response: res };
      await res.arrayBuffer();
      const location = res.headers.get('location');
      if (!location) throw new Error(`${res.status} without a Location at ${url.href}`);
      url = new URL(location, url);
      if (o.rewrite) url = o.rewrite(url);
      init = undefined;
      if (o.stop?.(url)) return { url };
    }
    throw new Error(`too many redirects; visited:\n${this.visited.join('\n')}`);
  }
}

/** Reads a form's action and fields (oidc-provider's logout form: xsrf and friends). */
export function formOf(html: string, id: string): { action: string; fields: Record<string, string> } {
  const form = new RegExp(`<form[^>]*id="${id.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!form) throw new Error(`no form #${id} in:\n${html.slice(0, 2000)}`);
  const action = /action="([^"]+)"/.exec(form[0])![1];
  const fields: Record<string, string> = {};
  for (const m of form[1].matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
    if (name) fields[name] = value;
  }
  return { action: action.replace(/&amp;/g, '&'), fields };
}
