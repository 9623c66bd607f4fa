import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselyOidcAdapter, namespacedOidcMigrations, SigningKeys } from '../../src/oidc/index.js';
import { pruneExpiredModels } from '../../src/oidc/adapter.js';
import { openDatabase, type Store } from '../../src/store/index.js';
import { dropSchema, PG_URL, postgresAvailable } from '../helpers/stores.js';

const SECRET = 'x'.repeat(40);

async function backends() {
  const pgUp = await postgresAvailable();
  if (!pgUp && process.env.CI !== 'true') console.warn(`[oidc store tests] PostgreSQL is not reachable at ${PG_URL}: skipping the PostgreSQL backend (set CI=true to make this an error).`);
  return { pg: pgUp || process.env.CI === 'true' };
}
const { pg } = await backends();

for (const backend of ['sqlite', 'postgres'] as const) {
  describe.skipIf(backend === 'postgres' && !pg)(`oidc storage on ${backend}`, () => {
    let store: Store;
    let dir: string | undefined;
    let schema: string | undefined;
    let now = Date.now();
    const clock = () => now;

    beforeAll(async () => {
      if (backend === 'sqlite') {
        dir = mkdtempSync(join(tmpdir(), 'feishu-hub-oidc-'));
        store = await openDatabase(`sqlite:${join(dir, 'hub.db')}`, { migrations: namespacedOidcMigrations });
      } else {
        schema = `oidc_${process.pid}_${Date.now().toString(36)}`;
        store = await openDatabase(PG_URL, { schema, poolSize: 2, migrations: namespacedOidcMigrations });
      }
    });
    afterAll(async () => {
      await store?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    });

    it('keeps every model oidc-provider stores: find, by uid, by user code, consume, destroy, revoke by grant, expiry', async () => {
      const codes = new KyselyOidcAdapter(store, 'AuthorizationCode', clock);
      const sessions = new KyselyOidcAdapter(store, 'Session', clock);
      const tokens = new KyselyOidcAdapter(store, 'AccessToken', clock);
      await codes.upsert('c1', { grantId: 'g1', accountId: 'on_1', scope: 'openid' }, 60);
      await sessions.upsert('s1', { uid: 'u1', accountId: 'on_1' }, 3600);
      await tokens.upsert('t1', { grantId: 'g1' }, 3600);
      await tokens.upsert('t2', { grantId: 'g2' }, 3600);
      await new KyselyOidcAdapter(store, 'DeviceCode', clock).upsert('d1', { userCode: 'ABCD-EFGH' }, 600);

      expect(await codes.find('c1')).toMatchObject({ grantId: 'g1', accountId: 'on_1', scope: 'openid' });
      expect(await codes.find('nope')).toBeUndefined();
      // The same id under another kind is another row.
      expect(await sessions.find('c1')).toBeUndefined();
      expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'on_1' });
      expect(await new KyselyOidcAdapter(store, 'DeviceCode', clock).findByUserCode('ABCD-EFGH')).toBeDefined();

      // Upsert replaces the payload.
      await sessions.upsert('s1', { uid: 'u1', accountId: 'on_2' }, 3600);
      expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'on_2' });

      // A consumed code says so (what makes a replayed code fail).
      expect((await codes.find('c1'))?.consumed).toBeUndefined();
      await codes.consume('c1');
      expect((await codes.find('c1'))?.consumed).toBeGreaterThan(0);

      // Revoking a grant removes that grant's tokens of that kind only.
      await tokens.revokeByGrantId('g1');
      expect(await tokens.find('t1')).toBeUndefined();
      expect(await tokens.find('t2')).toBeDefined();
      expect(await codes.find('c1')).toBeDefined();

      await sessions.destroy('s1');
      expect(await sessions.findByUid('u1')).toBeUndefined();

      // Expired rows read as absent, and the prune job deletes them.
      now += 61_000;
      expect(await codes.find('c1')).toBeUndefined();
      expect(await tokens.find('t2')).toBeDefined();
      now += 120_000;
      expect(await pruneExpiredModels(store, now)).toBe(1);
    });

    it('signing keys: one at first start, rotation makes a new signer and keeps the old one published until its tokens expire', async () => {
      const keepMs = 2 * 3600_000;
      const keys = new SigningKeys(store, SECRET, { keepMs, now: clock });
      const first = await keys.ensure();
      expect(await keys.ensure()).toBe(first);
      const before = await keys.published();
      expect(before.keys.map((k) => k.kid)).toEqual([first]);
      expect(before.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: first });

      // The private key is sealed in the database: no JWK private member in the clear.
      const row = await (store.db as any).selectFrom('oidc_keys').selectAll().where('kid', '=', first).executeTakeFirst();
      expect(row.private_jwk).toMatch(/^v1\./);
      expect(row.private_jwk).not.toContain(before.keys[0].d);
      expect(JSON.parse(row.public_jwk).d).toBeUndefined();

      const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'RS256', kid: first }).sign(await importJWK(before.keys[0], 'RS256'));

      now += 1000;
      const second = await keys.rotate();
      expect(second.state).toBe('signing');
      const after = await keys.published();
      expect(after.signer).toBe(second.kid);
      expect(after.keys.map((k) => k.kid)).toEqual([second.kid, first]);
      expect(after.fingerprint).not.toBe(before.fingerprint);
      expect((await keys.list()).map((k) => [k.kid, k.state])).toEqual([[second.kid, 'signing'], [first, 'published']]);

      // The old token verifies against the published set (public parts only).
      const jwks = { keys: after.keys.map(({ d, p, q, dp, dq, qi, ...pub }) => pub) };
      const server = (await import('node:http')).createServer((_q, s) => s.end(JSON.stringify(jwks)));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`);
      expect((await jwtVerify(token, createRemoteJWKSet(url))).payload.sub).toBe('x');
      server.close();
      expect(decodeProtectedHeader(token).kid).toBe(first);

      // Past the keep window the old key leaves the JWKS; a day later the database.
      now += keepMs + 1;
      expect((await keys.published()).keys.map((k) => k.kid)).toEqual([second.kid]);
      expect((await keys.list()).find((k) => k.kid === first)?.state).toBe('expired');
      now += 86_400_000 + 1;
      expect(await keys.prune()).toBe(1);
    });

    it('the rotation job publishes the next key ahead, then makes it the signer', async () => {
      const keys = new SigningKeys(store, SECRET, { keepMs: 3600_000, now: clock });
      const day = 86_400_000;
      const ahead = 3600_000;
      const signer = await keys.ensure();
      const signedAt = (await keys.list()).find((k) => k.kid === signer)!.activatedAt!;
      now = signedAt + 10 * day;
      expect(await keys.tick(30 * day, ahead)).toEqual({});
      now = signedAt + 30 * day - ahead;
      const { prepared } = await keys.tick(30 * day, ahead);
      expect(prepared?.state).toBe('next');
      // Published, not signing.
      const pub = await keys.published();
      expect(pub.signer).toBe(signer);
      expect(pub.keys.map((k) => k.kid)).toEqual([signer, prepared!.kid]);
      now += ahead / 2;
      expect(await keys.tick(30 * day, ahead)).toEqual({});
      now += ahead / 2;
      const { rotated } = await keys.tick(30 * day, ahead);
      expect(rotated?.kid).toBe(prepared!.kid);
      expect((await keys.published()).signer).toBe(prepared!.kid);
      expect((await keys.list()).find((k) => k.kid === signer)?.state).toBe('published');
      // `oidc rotate` uses a published next key when there is one.
      const next = await keys.prepareNext();
      expect((await keys.rotate()).kid).toBe(next.kid);
    });

    it('a changed HUB_SESSION_SECRET is told, not a crypto stack', async () => {
      const other = new SigningKeys(store, 'y'.repeat(40), { keepMs: 1000, now: clock });
      await expect(other.published()).rejects.toThrow(/HUB_SESSION_SECRET changed .*feishu-hub oidc rotate/);
      // After a rotation with the new secret, the provider has a signer again.
      await other.rotate();
      expect((await other.published()).keys).toHaveLength(1);
    });
  });
}
