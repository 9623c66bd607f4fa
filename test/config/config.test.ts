import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, loadConfig, secretValues } from '../../src/config/index.js';
import { openDatabase } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fh-config-'));

describe('loadConfig', () => {
  it('runs in sandbox mode with documented defaults when nothing is set', () => {
    const c = loadConfig({ env: {}, file: undefined });
    expect(c.sandbox).toBe(true);
    expect(c.http.port).toBe(3000);
    expect(c.emulatorPort).toBe(9000);
    expect(c.domain).toBe('https://open.feishu.cn');
    expect(c.databaseUrl).toBe('sqlite:./data/feishu-hub.db');
  });

  it('resolves lark and URL domains, and lists rotated keys', () => {
    const c = loadConfig({
      env: { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60789', FEISHU_APP_SECRET: 's3cret', FEISHU_DOMAIN: 'http://127.0.0.1:9000/', FEISHU_ENCRYPT_KEY: 'old, new' },
    });
    expect(c.sandbox).toBe(false);
    expect(c.domain).toBe('http://127.0.0.1:9000');
    expect(c.app.encryptKeys).toEqual(['old', 'new']);
    expect(loadConfig({ env: { FEISHU_DOMAIN: 'lark' } }).domain).toBe('https://open.larksuite.com');
  });

  it('stops with one line per problem that says how to fix it', () => {
    let err: unknown;
    try {
      loadConfig({ env: { FEISHU_APP_ID: 'bad', HUB_PORT: '70000', FEISHU_DOMAIN: 'ftp://x', DATABASE_URL: 'mysql://x' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/FEISHU_APP_ID must look like cli_/);
    expect(problems).toMatch(/HUB_PORT must be between 0 and 65535/);
    expect(problems).toMatch(/FEISHU_DOMAIN must be "feishu", "lark" or a base URL/);
    expect(problems).toMatch(/DATABASE_URL must start with sqlite:/);
    expect(problems).toMatch(/FEISHU_APP_SECRET is required when FEISHU_APP_ID is set/);
  });

  it('reads feishu-hub.yaml, lets env win, and reads *_FILE secrets', () => {
    const yamlPath = join(dir, 'feishu-hub.yaml');
    writeFileSync(yamlPath, 'HUB_PORT: 4000\nLOG_LEVEL: debug\nalerts:\n  routes: []\n');
    const secretPath = join(dir, 'secret');
    writeFileSync(secretPath, 'from-file\n');
    const c = loadConfig({
      file: yamlPath,
      env: { LOG_LEVEL: 'warn', FEISHU_APP_ID: 'cli_a1b2c3d4e5f60789', FEISHU_APP_SECRET_FILE: secretPath },
    });
    expect(c.http.port).toBe(4000);
    expect(c.logLevel).toBe('warn');
    expect(c.app.appSecret).toBe('from-file');
    expect(c.extra).toEqual({ alerts: { routes: [] } });
  });

  it('names an unreadable yaml file', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, '- just\n- a list\n');
    expect(() => loadConfig({ file: bad, env: {} })).toThrow(/bad\.yaml: cannot read it/);
  });
});

describe('logger redaction', () => {
  it('masks secret values anywhere and secret-named keys at any depth', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const c = loadConfig({ env: { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60789', FEISHU_APP_SECRET: 'super-secret-value', DATABASE_URL: 'postgres://u:pgpass99@h/db' } });
    const log = createLogger({ secrets: secretValues(c), destination: sink });
    log.info({ req: { headers: { authorization: 'Bearer t-abcdefghijkl' } }, body: { app_secret: 'x1234' } }, 'token call with super-secret-value');
    log.error(new Error('connect failed for postgres://u:pgpass99@h/db'));
    log.warn('header was Bearer t-g0123456789abcdef');
    const out = lines.join('');
    expect(out).not.toContain('super-secret-value');
    expect(out).not.toContain('pgpass99');
    expect(out).not.toContain('t-abcdefghijkl');
    expect(out).not.toContain('t-g0123456789abcdef');
    expect(out).not.toContain('x1234');
    expect(out).toContain('[redacted]');
    expect(out).toContain('token call with');
  });

  it('refuses DATABASE_URL=sqlite: with no path (it would silently keep the inbox in memory) and keeps sqlite::memory: possible', async () => {
    const err = (() => {
      try {
        loadConfig({ env: { DATABASE_URL: 'sqlite:' } });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toEqual(['DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/feishu-hub.db (sqlite::memory: keeps nothing across restarts)']);
    await expect(openDatabase('sqlite:')).rejects.toThrow(/has no file path/);
    expect(loadConfig({ env: { DATABASE_URL: 'sqlite::memory:' } }).databaseUrl).toBe('sqlite::memory:');
    const store = await openDatabase('sqlite::memory:');
    expect(store.file).toBe(':memory:');
    await store.close();
  });

  it('reads the hub\'s own timeouts, proxy trust and unverified mode, with defaults that are safe', () => {
    const c = loadConfig({ env: {} });
    expect(c.http).toMatchObject({ trustProxy: false, headersTimeoutMs: 2000, requestTimeoutMs: 2500 });
    expect(c.allowUnverified).toBe(false);
    const d = loadConfig({ env: { HUB_TRUST_PROXY: '1', HUB_REQUEST_TIMEOUT_MS: '1500', FEISHU_ALLOW_UNVERIFIED: 'true' } });
    expect(d.http).toMatchObject({ trustProxy: 1, headersTimeoutMs: 1500, requestTimeoutMs: 1500 });
    expect(d.allowUnverified).toBe(true);
    expect(() => loadConfig({ env: { HUB_REQUEST_TIMEOUT_MS: 'soon' } })).toThrow(/HUB_REQUEST_TIMEOUT_MS must be a number of milliseconds/);
  });
});
