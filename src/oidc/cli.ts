import type { Command } from 'commander';
import { printTable, UsageError } from '../cli/commands/_client.js';
import { parseCapabilityConfig } from '../capability/index.js';
import { loadConfig } from '../config/index.js';
import { openDatabase, type Store } from '../store/index.js';
import { keepRetiredMs, oidcConfigSchema, type OidcConfig } from './config.js';
import { SigningKeys, type KeyInfo } from './keys.js';
import { oidcSandboxConfig } from './sandbox.js';
import { oidcSecret } from './secrets.js';

const iso = (ms?: number) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');

/** The keys of the hub's database (DATABASE_URL), with the secret and key lifetimes the hub uses. */
async function withKeys<T>(fn: (keys: SigningKeys, store: Store) => Promise<T>): Promise<T> {
  const hubConfig = loadConfig();
  const { value, problems } = parseCapabilityConfig({ name: 'oidc', config: { schema: oidcConfigSchema, yamlKey: 'oidc' }, sandbox: { config: oidcSandboxConfig } }, hubConfig);
  if (problems.length) throw new UsageError(problems.join('\n'));
  const config = (value ?? oidcConfigSchema.parse({})) as OidcConfig;
  // The hub runs the migrations (its own and every capability's): this reads what it made.
  const store = await openDatabase(hubConfig.databaseUrl, { migrate: false });
  try {
    return await fn(new SigningKeys(store, await oidcSecret(hubConfig, store), { keepMs: keepRetiredMs(config) }), store);
  } catch (err) {
    if (/no such table|does not exist/.test((err as Error).message)) throw new Error('no OIDC keys in DATABASE_URL yet: start the hub there once (it makes its tables and first key), or point DATABASE_URL at the hub\'s database');
    throw err;
  } finally {
    await store.close();
  }
}

function printKeys(keys: KeyInfo[]): void {
  if (!keys.length) return console.log('no signing keys yet: the hub makes one when it starts with oidc clients (or run `feishu-hub oidc rotate`)');
  printTable(['KID', 'ALG', 'STATE', 'CREATED', 'SIGNS SINCE', 'RETIRED', 'PUBLISHED UNTIL'], keys.map((k) => [k.kid, k.alg, k.state, iso(k.createdAt), iso(k.activatedAt), iso(k.retiredAt), k.state === 'signing' ? '(while it signs)' : iso(k.publishUntil)]));
}

const fail = (err: unknown) => {
  console.error(`feishu-hub: ${(err as Error).message}`);
  process.exitCode = 1;
};

export function registerOidcCommands(program: Command): void {
  const oidc = program.command('oidc').description("The hub's OpenID Provider: its signing keys (reads DATABASE_URL)");
  oidc
    .command('keys')
    .description('list the signing keys: the one that signs, those still in the JWKS, those expired')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      try {
        const keys = await withKeys((k) => k.list());
        if (o.json) return console.log(JSON.stringify(keys, null, 2));
        printKeys(keys);
      } catch (err) {
        fail(err);
      }
    });
  oidc
    .command('rotate')
    .description('make a new signing key that signs from now on; the previous ones stay in the JWKS until the tokens they signed expire')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      try {
        const { key, keys } = await withKeys(async (k) => ({ key: await k.rotate(), keys: await k.list() }));
        if (o.json) return console.log(JSON.stringify({ rotated: key, keys }, null, 2));
        console.log(`new signing key ${key.kid}: it signs from now on (a running hub picks it up at its next OIDC request)\n`);
        printKeys(keys);
      } catch (err) {
        fail(err);
      }
    });
}
