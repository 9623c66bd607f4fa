import type { IncomingHttpHeaders } from 'node:http';
import { cardV1Signature, decrypt, eventSignature, matchSignature, matchToken } from './crypto.js';
import type { NonceCache } from './nonce-cache.js';
import { isCardCallbackType, isObject, isOldCardCallback, toInboundEvent, type CardAction, type EventSource, type InboundEvent } from './types.js';

export interface VerifyConfig {
  /** Encrypt Keys (several while rotating). Empty: pushes are plaintext and unsigned. */
  encryptKeys: readonly string[];
  /** Verification Tokens (several while rotating). */
  verificationTokens: readonly string[];
  /** When set, pushes for another app are refused. */
  appId?: string;
  /** Accepted clock skew of X-Lark-Request-Timestamp, seconds (default 300). */
  timestampWindowSec: number;
  nonces: NonceCache;
  now: () => number;
  source: EventSource;
}

export type VerifiedPush =
  | { kind: 'challenge'; challenge: string }
  /** `json` is the envelope as received (decrypted text), stored as-is rather than re-serialised. */
  | { kind: 'event'; event: InboundEvent; json: string; nonceKey?: string; replayed: boolean }
  | { kind: 'card'; action: CardAction; nonceKey?: string; replayed: boolean };

/** Why a push was refused: `status` goes to the caller, `reason` only to the log. */
export class PushRejected extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'PushRejected';
  }
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Checks one push from Feishu (event or card callback) and says what it is. Order: JSON → signature
 * over the raw bytes (timestamp window, nonce replay) → decryption → verification token → shape.
 * Throws PushRejected (400 malformed / 401 not authentic); never returns for a forgery.
 */
export function verifyPush(rawBody: Buffer, headers: IncomingHttpHeaders, cfg: VerifyConfig): VerifiedPush {
  let outer: unknown;
  const text = rawBody.toString('utf8');
  try {
    outer = JSON.parse(text);
  } catch {
    throw new PushRejected(400, 'malformed JSON');
  }
  if (!isObject(outer)) throw new PushRejected(400, 'body is not a JSON object');

  const oldCard = isOldCardCallback(outer);
  const timestamp = header(headers, 'x-lark-request-timestamp');
  const nonce = header(headers, 'x-lark-request-nonce');
  const signature = header(headers, 'x-lark-signature');
  // The old card callback is signed with a verification token (sha1), everything else with an encrypt key (sha256).
  const signingSecrets = oldCard ? cfg.verificationTokens : cfg.encryptKeys;

  let signedWith: string | undefined;
  let nonceKey: string | undefined;
  let replayed = false;
  if (signature && signingSecrets.length > 0) {
    if (!timestamp || !nonce) throw new PushRejected(401, 'signature without timestamp or nonce header');
    const ts = Number(timestamp);
    if (!/^\d{1,13}$/.test(timestamp) || !Number.isSafeInteger(ts)) throw new PushRejected(401, 'timestamp header is not epoch seconds');
    const skewSec = cfg.now() / 1000 - ts;
    if (skewSec > cfg.timestampWindowSec) throw new PushRejected(401, `stale timestamp (${Math.round(skewSec)} s old, window ${cfg.timestampWindowSec} s)`);
    if (-skewSec > cfg.timestampWindowSec) throw new PushRejected(401, `timestamp in the future (${Math.round(-skewSec)} s ahead, window ${cfg.timestampWindowSec} s)`);
    const sign = oldCard ? (s: string) => cardV1Signature(timestamp, nonce, s, rawBody) : (s: string) => eventSignature(timestamp, nonce, s, rawBody);
    signedWith = matchSignature(signature, signingSecrets, sign);
    if (signedWith === undefined) throw new PushRejected(401, oldCard ? 'signature mismatch (old card callback, sha1 with verification token)' : 'signature mismatch');
    // The signature already covers timestamp + nonce (+ body): it identifies the request by itself.
    nonceKey = signature.toLowerCase();
    // A repeat is not refused here: events are deduplicated by event_id in the inbox and card
    // callbacks by their identity in the answer store, so a repeat is acked, not treated as an attack.
    replayed = cfg.nonces.checkAndAdd(nonceKey, cfg.now());
  } else if (oldCard && cfg.verificationTokens.length > 0) {
    throw new PushRejected(401, 'old card callback without X-Lark-Signature');
  }

  let envelope: Record<string, unknown> = outer;
  let json = text;
  let decrypted = false;
  if (outer.encrypt !== undefined) {
    if (typeof outer.encrypt !== 'string') throw new PushRejected(400, '"encrypt" is not a string');
    if (cfg.encryptKeys.length === 0) throw new PushRejected(400, 'encrypted push but no encrypt key is configured (FEISHU_ENCRYPT_KEY)');
    const inner = decryptWithAny(outer.encrypt, signedWith ? [signedWith] : cfg.encryptKeys);
    // A signed push that does not decrypt is Feishu's mistake (400); an unsigned one is not authentic (401).
    if (!inner) throw new PushRejected(signedWith ? 400 : 401, 'cannot decrypt the push with the configured encrypt key(s)');
    envelope = inner.envelope;
    json = inner.json;
    decrypted = true;
  }

  if (envelope.type === 'url_verification') {
    if (typeof envelope.challenge !== 'string') throw new PushRejected(400, 'url_verification without a challenge');
    if (cfg.verificationTokens.length > 0) {
      if (!matchToken(envelope.token, cfg.verificationTokens)) throw new PushRejected(401, 'url_verification with a wrong verification token');
    } else if (cfg.encryptKeys.length > 0 && !signedWith && !decrypted) {
      throw new PushRejected(401, 'plaintext url_verification while an encrypt key is configured and no verification token to check it');
    }
    return { kind: 'challenge', challenge: envelope.challenge };
  }

  if (isOldCardCallback(envelope)) {
    if (cfg.verificationTokens.length === 0 && cfg.encryptKeys.length > 0) {
      throw new PushRejected(401, 'old card callback cannot be verified: configure the verification token (FEISHU_VERIFICATION_TOKEN)');
    }
    const refresh = header(headers, 'x-refresh-token');
    return { kind: 'card', action: { schema: 'v1', id: refresh, payload: envelope }, nonceKey, replayed };
  }

  // Events and new card callbacks: with an encrypt key configured, Feishu signs every one of them.
  if (cfg.encryptKeys.length > 0 && !signedWith) throw new PushRejected(401, 'missing X-Lark-Signature (an encrypt key is configured)');
  const event = toInboundEvent(envelope, cfg.source);
  if (!event) throw new PushRejected(400, 'unknown body shape (neither a v2 event, a v1 event_callback, a card callback nor url_verification)');
  if (cfg.verificationTokens.length > 0) {
    const token = event.schema === 'v2' ? (envelope.header as Record<string, unknown>).token : envelope.token;
    if (!matchToken(token, cfg.verificationTokens)) throw new PushRejected(401, `wrong verification token (${event.schema} ${isCardCallbackType(event.type) ? 'card callback' : 'event'})`);
  }
  if (cfg.appId && event.appId && event.appId !== cfg.appId) {
    throw new PushRejected(401, `push for another app (${event.appId}, this hub is ${cfg.appId})`);
  }
  if (isCardCallbackType(event.type)) {
    return { kind: 'card', action: { schema: 'v2', id: event.id, appId: event.appId, tenantKey: event.tenantKey, payload: envelope }, nonceKey, replayed };
  }
  // The verification token has done its job; it is a secret, so it is not stored with the event.
  // Blank it in the text we store (no re-serialisation on the hot path) and in the object alike.
  const tokenHolder = event.schema === 'v2' ? (envelope.header as Record<string, unknown>) : envelope;
  if (typeof tokenHolder.token === 'string' && tokenHolder.token !== '') {
    const pair = `"token":${JSON.stringify(tokenHolder.token)}`;
    json = json.includes(pair) ? json.replace(pair, '"token":""') : JSON.stringify({ ...envelope, ...(event.schema === 'v2' ? { header: { ...tokenHolder, token: '' } } : { token: '' }) });
    tokenHolder.token = '';
  }
  return { kind: 'event', event, json, nonceKey, replayed };
}

function decryptWithAny(encrypted: string, keys: readonly string[]): { envelope: Record<string, unknown>; json: string } | undefined {
  for (const key of keys) {
    try {
      const json = decrypt(encrypted, key);
      const parsed: unknown = JSON.parse(json);
      if (isObject(parsed)) return { envelope: parsed, json };
    } catch {
      // Wrong key (bad padding) or not JSON: try the next key.
    }
  }
  return undefined;
}
