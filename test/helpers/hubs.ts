import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHub, createLogger, loadConfig, startEmulator, type EmulatorHandle, type Hub } from '../../src/index.js';
import type { ConfigKey } from '../../src/config/index.js';

/** Log lines of a hub, parsed. */
export function captureLogs() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

/**
 * An emulator and hubs wired to it by hand (not through startHub), so a test can stop a hub and
 * start another on the same database file: a restart, or a second replica.
 */
export async function hubsOnOneDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-intake-'));
  const emulator: EmulatorHandle = await startEmulator({ port: 0 });
  const hubs: Hub[] = [];
  const configFor = (overrides: Partial<Record<ConfigKey, string | number>> = {}) =>
    loadConfig({
      env: {},
      file: undefined,
      overrides: {
        FEISHU_APP_ID: emulator.app.appId,
        FEISHU_APP_SECRET: emulator.app.appSecret,
        FEISHU_ENCRYPT_KEY: emulator.app.encryptKey ?? '',
        FEISHU_VERIFICATION_TOKEN: emulator.app.verificationToken ?? '',
        FEISHU_DOMAIN: emulator.url,
        HUB_PORT: 0,
        DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`,
        LOG_LEVEL: 'silent',
        ...overrides,
      },
    });
  return {
    emulator,
    configFor,
    /** A started hub; `setup` registers its listeners first. */
    async hub(setup: (hub: Hub) => void = () => {}, overrides: Partial<Record<ConfigKey, string | number>> = {}, logger = captureLogs()) {
      const hub = createHub({ config: configFor(overrides), logger: logger.logger });
      setup(hub);
      await hub.start();
      hubs.push(hub);
      return { hub, logs: logger.lines };
    },
    async close() {
      for (const h of hubs) await h.stop().catch(() => undefined);
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
