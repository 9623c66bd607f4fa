import { randomBytes } from 'node:crypto';
import { cardV1Signature, encrypt, eventSignature } from './crypto.js';

export interface SignedPushRequest {
  /** The exact bytes to POST. */
  body: string;
  headers: Record<string, string>;
}

export interface SignPushOptions {
  /** Encrypt and sign (sha256) with this key; without it the body stays plaintext. */
  encryptKey?: string;
  /** Signs an old-format card callback (sha1 over the plaintext body). */
  verificationToken?: string;
  /** The old card callback format: never encrypted, signed with the verification token. */
  oldCard?: boolean;
  /** Epoch seconds (default now). */
  timestamp?: number;
  nonce?: string;
}

/**
 * Builds a push the way Feishu sends it (encrypted, signed, with timestamp and nonce headers):
 * for `feishu-hub receive`, tests and benchmarks.
 *
 * @example
 * const { body, headers } = signPush(envelope, { encryptKey });
 * await fetch(`${hub}/webhook/event`, { method: 'POST', body, headers });
 */
export function signPush(envelope: unknown, options: SignPushOptions = {}): SignedPushRequest {
  const plain = JSON.stringify(envelope);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(8).toString('hex');
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce };
  if (options.oldCard) {
    if (options.verificationToken) headers['x-lark-signature'] = cardV1Signature(timestamp, nonce, options.verificationToken, plain);
    return { body: plain, headers };
  }
  if (!options.encryptKey) return { body: plain, headers };
  const body = JSON.stringify({ encrypt: encrypt(plain, options.encryptKey) });
  headers['x-lark-signature'] = eventSignature(timestamp, nonce, options.encryptKey, body);
  return { body, headers };
}

export interface V2EnvelopeOptions {
  token?: string;
  appId?: string;
  tenantKey?: string;
  eventId?: string;
  /** Epoch ms (default now). */
  createTime?: number;
}

/** Wraps an `event` object in a schema 2.0 envelope with a fresh event_id. */
export function v2Envelope(eventType: string, event: unknown, options: V2EnvelopeOptions = {}) {
  return {
    schema: '2.0',
    header: {
      event_id: options.eventId ?? randomBytes(16).toString('hex'),
      token: options.token ?? '',
      create_time: String(options.createTime ?? Date.now()),
      event_type: eventType,
      tenant_key: options.tenantKey ?? '',
      app_id: options.appId ?? '',
    },
    event,
  };
}
