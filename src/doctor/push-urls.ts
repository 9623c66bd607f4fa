import { randomBytes } from 'node:crypto';
import type { HubConfig } from '../config/index.js';
import { signPush } from '../events/index.js';
import type { Check } from './types.js';

const TIMEOUT_MS = 5000;

/**
 * The event and card URLs as Feishu sees them: the url_verification challenge the developer console
 * sends when a request URL is saved, encrypted and signed with this config's encrypt key and
 * carrying its verification token, posted to HUB_PUBLIC_URL. A hub with other keys refuses it, one
 * that is down or behind a wrong address never answers.
 */
export async function pushUrlChecks(config: HubConfig): Promise<Check[]> {
  const checks: Check[] = [];
  const [encryptKey] = config.app.encryptKeys;
  const [token] = config.app.verificationTokens;
  if (!config.sandbox) {
    if (!encryptKey) {
      checks.push({
        id: 'encrypt-key',
        title: 'event encryption',
        status: config.allowUnverified ? 'warn' : 'fail',
        detail: config.allowUnverified ? 'no FEISHU_ENCRYPT_KEY and FEISHU_ALLOW_UNVERIFIED=true: pushes arrive in plaintext and unsigned; anyone who knows the URL can post events' : 'no FEISHU_ENCRYPT_KEY: the hub refuses every push it cannot verify',
        fix: 'set an Encrypt Key in the app\'s Events & Callbacks > Encryption Strategy, and the same value in FEISHU_ENCRYPT_KEY',
      });
    } else checks.push({ id: 'encrypt-key', title: 'event encryption', status: 'ok', detail: 'FEISHU_ENCRYPT_KEY is set: pushes are decrypted and their signatures checked' });
    if (!token) checks.push({ id: 'verification-token', title: 'verification token', status: 'warn', detail: 'no FEISHU_VERIFICATION_TOKEN: the token inside pushes is not compared', fix: "copy the Verification Token from the app's Events & Callbacks > Encryption Strategy into FEISHU_VERIFICATION_TOKEN" });
    else checks.push({ id: 'verification-token', title: 'verification token', status: 'ok', detail: 'FEISHU_VERIFICATION_TOKEN is set' });
  }
  if (config.eventMode === 'websocket') {
    checks.push({ id: 'event-url', title: 'event delivery', status: 'ok', detail: 'long connection (FEISHU_EVENT_MODE=websocket): no public URL needed' });
    return checks;
  }
  if (!config.http.publicUrl) {
    checks.push({
      id: 'event-url',
      title: 'event and card URLs',
      status: config.sandbox ? 'skip' : 'warn',
      detail: config.sandbox ? 'sandbox: the local Feishu pushes to the hub directly' : 'HUB_PUBLIC_URL is not set, so the URLs Feishu must reach cannot be checked',
      ...(config.sandbox ? {} : { fix: 'set HUB_PUBLIC_URL to the address Feishu reaches the hub at (https://…); request URLs are <it>/webhook/event and <it>/webhook/card' }),
    });
    return checks;
  }
  const base = config.http.publicUrl.replace(/\/$/, '');
  for (const [id, route, what] of [
    ['event-url', '/webhook/event', 'event request URL'],
    ['card-url', '/webhook/card', 'card callback URL'],
  ] as const) {
    checks.push(await challenge(`${base}${route}`, id, what, encryptKey, token));
  }
  return checks;
}

async function challenge(url: string, id: string, what: string, encryptKey: string | undefined, token: string | undefined): Promise<Check> {
  const title = `${what} ${url}`;
  const value = randomBytes(12).toString('hex');
  const push = signPush({ challenge: value, token: token ?? '', type: 'url_verification' }, { encryptKey });
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: push.headers, body: push.body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const e = err as { cause?: { code?: string; message?: string }; name?: string; message?: string };
    const reason = e?.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err));
    return {
      id,
      title,
      status: 'fail',
      detail: `not reachable from this machine (${reason})`,
      fix: 'start the hub, and make HUB_PUBLIC_URL the address Feishu reaches it at: the host, port and path prefix of your proxy or tunnel, reachable from the internet',
    };
  }
  const text = await res.text().catch(() => '');
  let echoed: string | undefined;
  try {
    echoed = (JSON.parse(text) as { challenge?: string }).challenge;
  } catch {
    echoed = undefined;
  }
  if (res.status === 200 && echoed === value) return { id, title, status: 'ok', detail: 'answered the url_verification challenge' };
  if (res.status === 401 || res.status === 400) {
    return {
      id,
      title,
      status: 'fail',
      detail: `the hub there refused the challenge (HTTP ${res.status}: ${text.slice(0, 120)})`,
      fix: 'the hub at that URL has another FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN than this config: give both the values from the app\'s Events & Callbacks > Encryption Strategy',
    };
  }
  return {
    id,
    title,
    status: 'fail',
    detail: `HTTP ${res.status}, ${echoed === undefined ? 'no challenge in the answer' : 'another challenge in the answer'} (${text.slice(0, 120) || 'empty'})`,
    fix: 'something other than the hub answers at that URL (a proxy rule or another service): route it to the hub',
  };
}
