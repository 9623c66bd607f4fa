import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * The platform's push encryption: key = SHA-256(encrypt key), AES-256-CBC with
 * PKCS#7 padding, a random 16-byte IV prepended to the ciphertext, base64.
 */
export function encryptPayload(encryptKey: string, plaintext: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** `X-Lark-Signature` of events and new-style card callbacks: hex SHA-256 of timestamp + nonce + key + body. */
export function signature(timestamp: string, nonce: string, encryptKey: string, rawBody: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + rawBody).digest('hex');
}

export interface SignedPush {
  /** The exact bytes to POST: compact JSON, so SDKs that re-serialise the parsed body get the same string. */
  body: string;
  headers: Record<string, string>;
}

/**
 * Wraps a plaintext envelope the way the platform sends it: encrypted when the app
 * has an encrypt key, with timestamp/nonce headers and, when a key is set, the signature.
 * `signed: false` is for url_verification, which carries no signature headers.
 */
export function signedPush(envelope: unknown, encryptKey: string | undefined, opts: { signed?: boolean } = {}): SignedPush {
  const plain = JSON.stringify(envelope);
  const body = encryptKey ? JSON.stringify({ encrypt: encryptPayload(encryptKey, plain) }) : plain;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (opts.signed === false) return { body, headers };
  // Wall-clock seconds, not the emulator clock: the receiving app checks freshness
  // against its own clock, and a retry 6 h "later" on the emulator clock is fresh for the platform.
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  headers['x-lark-request-timestamp'] = timestamp;
  headers['x-lark-request-nonce'] = nonce;
  if (encryptKey) headers['x-lark-signature'] = signature(timestamp, nonce, encryptKey, body);
  return { body, headers };
}
