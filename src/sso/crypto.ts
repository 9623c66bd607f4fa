import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** base64url of n random bytes. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** PKCE (RFC 7636): a 43-character verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomToken(32);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Encrypts user tokens at rest: AES-256-GCM with a key derived (HKDF-SHA256) from
 * HUB_SESSION_SECRET, a random 12-byte IV per value, the row's user id as associated data (a
 * value copied to another user's row does not decrypt). Format `v1.<base64url(iv|tag|ciphertext)>`.
 *
 * @example
 * const c = new TokenCipher(process.env.HUB_SESSION_SECRET!);
 * const stored = c.seal('u-…', 'u_123'); c.open(stored, 'u_123') === 'u-…';
 */
export class TokenCipher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'feishu-hub/sso', 'user-tokens/aes-256-gcm', 32));
  }

  seal(plain: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string, aad: string): string {
    if (!sealed.startsWith('v1.')) throw new Error('unknown token encryption format');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
