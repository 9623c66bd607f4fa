import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startHub, type RunningHub } from '../../src/sandbox/index.js';
import { BIN, cleanEnv, run } from '../cli/process.js';
import { Jar, loginAs } from './helpers.js';

/** `feishu-hub users` and `feishu-hub accounts …` on the database of a hub where people logged in. */
describe('sso CLI', () => {
  let dir: string;
  let running: RunningHub;
  const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: cleanEnv({ DATABASE_URL: `sqlite:${join(dir, 'hub.db')}` }) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'feishu-hub-sso-cli-'));
    const config = { ...loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, FEISHU_EMULATOR_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'silent' } }), sandbox: true, app: { encryptKeys: [], verificationTokens: [] } };
    running = await startHub(config);
    const users = running.emulator!.state.users;
    await loginAs(new Jar(), running.hub.url!, users.find((u) => u.user_id === 'alice')!.open_id);
    await loginAs(new Jar(), running.hub.url!, users.find((u) => u.user_id === 'bob')!.open_id);
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('users: a table for people, --json for scripts, with system users and sessions', async () => {
    const table = await cli('users');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/system user/);
    expect(table.stdout).toMatch(/bob@example\.com\s+bli\s+1/);
    const json = await cli('users', '--json');
    const list = JSON.parse(json.stdout) as { email: string; system_user?: string; sessions: number }[];
    expect(list.map((u) => [u.email, u.system_user, u.sessions])).toEqual([
      ['alice@example.com', 'alice', 1],
      ['bob@example.com', 'bli', 1],
    ]);
  });

  it('accounts bind <feishu> <system>: by email of someone who logged in, and someone who has not yet', async () => {
    const bound = await cli('accounts', 'bind', 'alice@example.com', 'azhang');
    expect(bound.code).toBe(0);
    expect(bound.stdout).toMatch(/^bound ou_\w+ \(alice@example\.com\) → azhang$/m);
    expect(await running.hub.accounts.systemUserOf('alice@example.com')).toBe('azhang');
    const later = await cli('accounts', 'bind', 'dave@example.com', 'dchen');
    expect(later.stdout).toContain('their open_id is learnt when they log in');
    const list = JSON.parse((await cli('accounts', 'list', '--json')).stdout) as { email?: string; system: string; source: string }[];
    expect(list.find((b) => b.email === 'dave@example.com')).toMatchObject({ system: 'dchen', source: 'cli' });
    const bad = await cli('accounts', 'bind', 'not-an-id', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('must be an open_id (ou_…), a union_id (on_…) or an email');
  });
});
