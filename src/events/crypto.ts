import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Feishu's push crypto, implemented from the platform docs (reference §3.2), independent of the
 * emulator's and the SDK's copies so a shared misunderstanding cannot hide.
 */

const keyCache = new Map<string, Buffer>();

/** AES key for an Encrypt Key: sha256(encryptKey), 32 bytes. */
function aesKey(encryptKey: string): Buffer {
  let key = keyCache.get(encryptKey);
  if (!key) {
    key = createHash('sha256').update(encryptKey, 'utf8').digest();
    if (keyCache.size > 32) keyCache.clear();
    keyCache.set(encryptKey, key);
  }
  return key;
}

/**
 * Decrypts the `encrypt` field of a push: base64 → iv (first 16 bytes) + AES-256-CBC ciphertext,
 * PKCS#7 padding. Throws on a wrong key or mangled input (bad padding or length).
 *
 * @example decrypt('P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=', 'test key') // 'hello world'
 */
export function decrypt(encrypted: string, encryptKey: string): string {
  const raw = Buffer.from(encrypted, 'base64');
  if (raw.length < 32 || raw.length % 16 !== 0) throw new Error('encrypted payload has an invalid length');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(encryptKey), raw.subarray(0, 16));
  // Straight to text (no intermediate Buffer.concat): this runs once per push.
  return decipher.update(raw.subarray(16), undefined, 'utf8') + decipher.final('utf8');
}

/**
 * Encrypts as Feishu does (random IV prepended, base64). Used by `feishu-hub receive` and tests.
 *
 * @example const body = JSON.stringify({ encrypt: encrypt(JSON.stringify(envelope), key) });
 */
export function encrypt(plaintext: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/**
 * `X-Lark-Signature` of events and new card callbacks: hex(sha256(timestamp + nonce + encryptKey + rawBody)).
 * The body is the raw bytes received, never a re-serialisation.
 */
export function eventSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer | string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey, 'utf8').update(rawBody).digest('hex');
}

/** `X-Lark-Signature` of the old card callback: hex(sha1(timestamp + nonce + verificationToken + rawBody)). */
export function cardV1Signature(timestamp: string, nonce: string, verificationToken: string, rawBody: Buffer | string): string {
  return createHash('sha1').update(timestamp + nonce + verificationToken, 'utf8').update(rawBody).digest('hex');
}

/** Constant-time string comparison (the length of a signature or token is not a secret worth hiding). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Which of several secrets (rotation: old and new both valid) produced `signature` (hex), if any. */
export function matchSignature(signature: string, secrets: readonly string[], sign: (secret: string) => string): string | undefined {
  const given = Buffer.from(signature, 'hex');
  // Hex that does not round-trip (odd length, non-hex characters) is no signature at all.
  if (given.length * 2 !== signature.length) return undefined;
  let found: string | undefined;
  // Check every secret, so the time taken does not tell which one matched.
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret), 'hex');
    if (expected.length === given.length && timingSafeEqual(expected, given) && found === undefined) found = secret;
  }
  return found;
}

/** Is `token` one of the configured verification tokens? (constant time per candidate) */
export function matchToken(token: unknown, tokens: readonly string[]): boolean {
  if (typeof token !== 'string') return false;
  let ok = false;
  for (const t of tokens) if (safeEqual(t, token)) ok = true;
  return ok;
}
