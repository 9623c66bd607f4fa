/** Why a return_to was refused (shown to the person: it names what to fix). */
export class ReturnToError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReturnToError';
  }
}

/**
 * Checks where a login may return to: a path of this hub (`/me`, `/oidc/interaction/…`), or an
 * absolute URL on this hub or a host of `sso.return_to_hosts`. Anything else (another host,
 * `//evil.example`, `/\evil.example`, `javascript:`) is refused: no open redirect.
 *
 * @example
 * checkReturnTo('/me?tab=1', { hubOrigin: 'https://hub.example.com', hosts: [] }) // '/me?tab=1'
 * checkReturnTo('https://evil.example/', …) // throws ReturnToError
 */
export function checkReturnTo(raw: string | undefined, o: { hubOrigin: string; hosts: string[]; fallback: string }): string {
  const value = (raw ?? '').trim();
  if (!value) return o.fallback;
  if (value.length > 2048) throw new ReturnToError('return_to is too long');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\\]/.test(value)) throw new ReturnToError('return_to must be a path of this hub or a URL on an allowed host');
  if (value.startsWith('/') && !value.startsWith('//')) {
    const u = new URL(value, o.hubOrigin);
    if (u.origin !== new URL(o.hubOrigin).origin) throw new ReturnToError('return_to must stay on this hub');
    return `${u.pathname}${u.search}${u.hash}`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ReturnToError('return_to must be a path of this hub (starting with /) or an absolute URL on an allowed host');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ReturnToError(`return_to may not use ${url.protocol}`);
  if (url.username || url.password) throw new ReturnToError('return_to may not carry credentials');
  const hub = new URL(o.hubOrigin);
  if (url.origin === hub.origin) return `${url.pathname}${url.search}${url.hash}`;
  const hosts = o.hosts.map((h) => h.toLowerCase());
  if (!hosts.includes(url.host.toLowerCase()) && !hosts.includes(url.hostname.toLowerCase())) {
    throw new ReturnToError(`return_to names ${url.host}, which is not this hub nor in sso.return_to_hosts: refused (no open redirects)`);
  }
  if (url.protocol === 'http:' && hub.protocol === 'https:') throw new ReturnToError('return_to must use https');
  return url.toString();
}
