import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { ssoServiceOf } from '../../src/sso/index.js';
import type { StartOptions } from '../../src/sandbox/index.js';

/** A cookie jar for fetch (one browser). */
export class Jar {
  readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || attrs.some((a) => /^\s*max-age=0\b/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.header());
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.take(res);
    return res;
  }
}

export interface LoginTrip {
  authorizeUrl: URL;
  callbackUrl: URL;
  callback: Response;
}

/** GET /login/feishu → the emulator's authorize with login_as → the callback, as a browser would (no page). */
export async function loginAs(jar: Jar, hubUrl: string, who: string, returnTo = '/me'): Promise<LoginTrip> {
  const start = await jar.fetch(`${hubUrl}/login/feishu?return_to=${encodeURIComponent(returnTo)}`);
  if (start.status !== 302) throw new Error(`/login/feishu answered ${start.status}: ${await start.text()}`);
  const authorizeUrl = new URL(start.headers.get('location')!);
  authorizeUrl.searchParams.set('login_as', who);
  const auth = await fetch(authorizeUrl, { redirect: 'manual' });
  if (auth.status !== 302) throw new Error(`authorize answered ${auth.status}: ${await auth.text()}`);
  const callbackUrl = new URL(auth.headers.get('location')!);
  const callback = await jar.fetch(callbackUrl.toString());
  return { authorizeUrl, callbackUrl, callback };
}

export const SECRET = 'sso-test-secret-0123456789abcdef-0123456789';

/** A sandbox hub (emulator in-process) with the sso capability's sandbox section or `sso`. */
export async function ssoTestHub(o: StartOptions & { sso?: Record<string, unknown> } = {}): Promise<TestHub & { service: NonNullable<ReturnType<typeof ssoServiceOf>> }> {
  const { sso, ...rest } = o;
  const t = await createTestHub({ ...rest, sections: { ...(rest.sections ?? {}), ...(sso ? { sso } : {}) } });
  const service = ssoServiceOf(t.hub.store!)!;
  return Object.assign(t, { service });
}
