import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { HubConfig } from '../config/index.js';
import { KvStore, type Store } from '../store/index.js';

/** One purpose, one key: HKDF-SHA256 over HUB_SESSION_SECRET. */
export function deriveKey(secret: string, purpose: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('feishu-hub oidc'), Buffer.from(purpose), length));
}

/** oidc-provider's cookie signing keys (Keygrip), from the session secret. */
export function cookieKeys(secret: string): string[] {
  return [deriveKey(secret, 'cookies').toString('base64url')];
}

/** AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>` (base64url): how private signing keys are kept in the database. */
export function seal(secret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, 'signing keys'), iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function unseal(secret: string, sealed: string): string {
  const [v, iv, tag, ct] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || !ct) throw new Error('not a sealed key');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret, 'signing keys'), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

export const NO_SECRET = 'oidc needs HUB_SESSION_SECRET (at least 32 characters; try: openssl rand -hex 32): it signs the provider\'s cookies and encrypts its signing keys';

/**
 * HUB_SESSION_SECRET, or in the sandbox demo (no FEISHU_APP_ID) a random one the database keeps,
 * so `npm start` works with no setup and the CLI (same DATABASE_URL) finds the same one.
 */
export async function oidcSecret(hubConfig: HubConfig, store: Store): Promise<string> {
  if (hubConfig.sessionSecret) return hubConfig.sessionSecret;
  if (!hubConfig.sandbox) throw new Error(NO_SECRET);
  const kv = new KvStore(store);
  const kept = await kv.get('oidc', 'sandbox_secret');
  if (kept) return kept;
  // First writer wins (the hub and the CLI may both get here first).
  await store.db.insertInto('kv').values({ namespace: 'oidc', key: 'sandbox_secret', value: randomBytes(32).toString('hex'), expires_at: null }).onConflict((oc) => oc.doNothing()).execute();
  return (await kv.get('oidc', 'sandbox_secret'))!;
}
