import type { Command } from 'commander';
import { printTable, UsageError } from '../cli/commands/_client.js';
import { parseCapabilityConfig } from '../capability/index.js';
import { loadConfig } from '../config/index.js';
import { openDatabase, type Store } from '../store/index.js';
import { Accounts } from './accounts.js';
import { ssoConfigSchema, type SsoConfig } from './config.js';
import { ssoSandboxConfig } from './sandbox.js';
import type { SsoDb } from './tables.js';
import { UserBook } from './users.js';

const iso = (ms: unknown) => (ms ? new Date(Number(ms)).toISOString().replace('T', ' ').slice(0, 19) : '');

async function withAccounts<T>(fn: (o: { accounts: Accounts; users: UserBook; db: SsoDb }) => Promise<T>): Promise<T> {
  const hubConfig = loadConfig();
  const { value, problems } = parseCapabilityConfig({ name: 'sso', config: { schema: ssoConfigSchema, yamlKey: 'sso' }, sandbox: { config: ssoSandboxConfig } }, hubConfig);
  if (problems.length) throw new UsageError(problems.join('\n'));
  const config = (value ?? ssoConfigSchema.parse({})) as SsoConfig;
  let store: Store | undefined;
  try {
    store = await openDatabase(hubConfig.databaseUrl, { migrate: false });
    const db = () => store!.db as unknown as SsoDb;
    const users = new UserBook(db);
    return await fn({ accounts: new Accounts(db, config, users, undefined), users, db: db() });
  } catch (err) {
    if (/no such table|does not exist/.test((err as Error).message)) throw new Error('no users in DATABASE_URL yet: start the hub once there (npm start) or point DATABASE_URL at the hub\'s database');
    throw err;
  } finally {
    await store?.close();
  }
}

const fail = (err: unknown) => {
  console.error(`feishu-hub: ${(err as Error).message}`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
};

/** `feishu-hub users` and `feishu-hub accounts …`. */
export function registerSsoCommands(program: Command): void {
  program
    .command('users')
    .description('people who logged in to the hub with Feishu, with their system accounts and sessions')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      try {
        await withAccounts(async ({ users, accounts, db }) => {
          const rows = await users.list();
          const sessions = await db.selectFrom('sso_sessions').select(['user_id']).where('expires_at', '>', Date.now()).execute();
          const tokens = await db.selectFrom('sso_user_tokens').select(['user_id', 'access_expires_at', 'refresh_expires_at']).execute();
          const out = [];
          for (const u of rows) {
            const t = tokens.find((x) => x.user_id === u.id);
            out.push({
              id: u.id,
              name: u.name,
              email: u.email ?? undefined,
              open_id: u.open_id,
              union_id: u.union_id ?? undefined,
              system_user: await accounts.systemUserOf(u.open_id, { directory: false }),
              sessions: sessions.filter((s) => s.user_id === u.id).length,
              last_login_at: Number(u.last_login_at),
              token_expires_at: t ? Number(t.access_expires_at) : undefined,
              refresh_expires_at: t?.refresh_expires_at ? Number(t.refresh_expires_at) : undefined,
            });
          }
          if (o.json) return console.log(JSON.stringify(out, null, 2));
          if (!out.length) return console.log('No one has logged in yet (open the hub\'s /login).');
          printTable(['user', 'name', 'email', 'system user', 'sessions', 'last login', 'open_id'], out.map((u) => [u.id, u.name, u.email ?? '', u.system_user ?? '', String(u.sessions), iso(u.last_login_at), u.open_id]));
        });
      } catch (err) {
        fail(err);
      }
    });

  const accounts = program.command('accounts').description('bindings of Feishu people to system users (hub.accounts)');
  accounts
    .command('list')
    .description('every binding, and where it came from (config, login, email, self, cli)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      try {
        await withAccounts(async ({ accounts: a }) => {
          const list = await a.list();
          if (o.json) return console.log(JSON.stringify(list, null, 2));
          if (!list.length) return console.log('No bindings yet.');
          printTable(['feishu', 'email', 'system user', 'source', 'updated'], list.map((b) => [b.open_id ?? b.feishu, b.email ?? '', b.system, b.source, iso(b.at)]));
        });
      } catch (err) {
        fail(err);
      }
    });
  accounts
    .command('bind <feishu> <system>')
    .description('bind a Feishu person (open_id ou_…, union_id on_… or email) to a system user')
    .option('--json', 'print the binding as JSON')
    .action(async (feishu: string, system: string, o: { json?: boolean }) => {
      try {
        if (!/^(ou_|on_)\w+$|^[^@\s]+@[^@\s]+$/.test(feishu)) throw new UsageError(`<feishu> must be an open_id (ou_…), a union_id (on_…) or an email, got "${feishu}"`);
        await withAccounts(async ({ accounts: a }) => {
          const b = await a.bind({ feishu, system, source: 'cli' });
          if (o.json) return console.log(JSON.stringify(b, null, 2));
          console.log(`bound ${b.open_id ?? b.feishu}${b.email ? ` (${b.email})` : ''} → ${b.system}${b.open_id ? '' : ' (their open_id is learnt when they log in)'}`);
        });
      } catch (err) {
        fail(err);
      }
    });
  accounts
    .command('unbind <feishu>')
    .description('remove the binding of a Feishu person')
    .action(async (feishu: string) => {
      try {
        await withAccounts(async ({ accounts: a }) => console.log((await a.unbind(feishu)) ? `unbound ${feishu}` : `${feishu} had no binding`));
      } catch (err) {
        fail(err);
      }
    });
}
