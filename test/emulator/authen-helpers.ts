import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { rawJson } from '../helpers/emulator.js';

export const REDIRECT = 'http://127.0.0.1:8765/callback/feishu';

export function pkcePair() {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(emu: EmulatorHandle, params: Record<string, string | undefined>, path = '/open-apis/authen/v1/authorize') {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ client_id: emu.app.appId, response_type: 'code', redirect_uri: REDIRECT, ...params })) if (v !== undefined) q.set(k, v);
  return `${emu.url}${path}?${q}`;
}

/** GET without following redirects: status, Location, page text. */
export async function open(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location') ?? undefined, text, type: res.headers.get('content-type') ?? '' };
}

export const errorCodeOf = (html: string) => Number(/data-error-code="(\d+)"/.exec(html)?.[1] ?? NaN);

/** A code through `login_as` (the automation path), with the params it was asked with. */
export async function codeFor(emu: EmulatorHandle, user: string, params: Record<string, string | undefined> = {}) {
  const r = await open(authorizeUrl(emu, { state: 's1', ...params, login_as: user }));
  if (r.status !== 302 || !r.location) throw new Error(`authorize answered ${r.status}: ${r.text.slice(0, 300)}`);
  const loc = new URL(r.location);
  const code = loc.searchParams.get('code');
  if (!code) throw new Error(`no code in ${r.location}`);
  return { code, location: r.location, state: loc.searchParams.get('state') };
}

export function tokenV2(emu: EmulatorHandle, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return rawJson(`${emu.url}/open-apis/authen/v2/oauth/token`, 'POST', { client_id: emu.app.appId, client_secret: emu.app.appSecret, ...body }, headers);
}

export function userInfo(emu: EmulatorHandle, token: string) {
  return rawJson(`${emu.url}/open-apis/authen/v1/user_info`, 'GET', undefined, { authorization: `Bearer ${token}` });
}
