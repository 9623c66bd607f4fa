import type { Command } from 'commander';
import { Messenger } from '../../bot/index.js';
import { ConfigError, loadConfig } from '../../config/index.js';
import { DEV_CREDENTIALS } from '../../emulator/options.js';
import { createPlatform, FeishuApiError, type Platform } from '../../platform/index.js';

/** Flags every Feishu-calling command shares. */
export interface ClientFlags {
  emulator?: string;
  json?: boolean;
}

/** Adds --emulator and --json to a command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--emulator <url>', 'use a local emulator (feishu-hub emulator) with its documented dev credentials, e.g. http://127.0.0.1:9000')
    .option('--json', 'print JSON (for scripts) instead of a table');
}

/** A CLI-side error with a message for people (no stack). */
export class UsageError extends Error {}

const NO_APP = [
  'no Feishu app configured (FEISHU_APP_ID is not set).',
  '  To use your app: set FEISHU_APP_ID and FEISHU_APP_SECRET (environment or feishu-hub.yaml).',
  '  To try it locally: run `feishu-hub emulator` in another terminal, then add --emulator http://127.0.0.1:9000',
].join('\n');

/** The platform client for the flags: the emulator's dev app, or the configured app. */
export function platformFor(flags: ClientFlags): Platform {
  if (flags.emulator) {
    if (!/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(flags.emulator)) throw new UsageError(`--emulator must be a base URL such as http://127.0.0.1:9000 (got ${flags.emulator})`);
    return createPlatform({ appId: DEV_CREDENTIALS.appId, appSecret: DEV_CREDENTIALS.appSecret, domain: flags.emulator, limits: { scale: 1 } });
  }
  const config = loadConfig();
  if (config.sandbox) throw new UsageError(NO_APP);
  return createPlatform({ config });
}

/**
 * Runs a command body with a Messenger, prints failures the friendly way and sets the exit code.
 *
 * @example
 * .action((opts) => runWithMessenger(opts, async (m) => { … }))
 */
export async function runWithMessenger(flags: ClientFlags, body: (m: Messenger) => Promise<void>): Promise<void> {
  let platform: Platform | undefined;
  try {
    platform = platformFor(flags);
    await body(new Messenger(platform));
  } catch (err) {
    printError(err, flags.json);
    process.exitCode = 1;
  } finally {
    await platform?.close();
  }
}

/** Errors for people: the Feishu code, what it means, what to do (JSON on stderr with --json). */
export function printError(err: unknown, json = false): void {
  if (err instanceof FeishuApiError) {
    const { meaning, action } = err.explain();
    if (json) {
      console.error(JSON.stringify({ error: { ...err.toJSON(), meaning, action } }, null, 2));
      return;
    }
    const lines = [
      `feishu-hub: Feishu error ${err.code}: ${err.msg}`,
      `  what it means: ${meaning}`,
      `  what to do:    ${action}`,
      `  api:           ${err.method} ${err.path}`,
    ];
    if (err.logId) lines.push(`  log id:        ${err.logId}`);
    if (err.troubleshooter) lines.push(`  troubleshoot:  ${err.troubleshooter}`);
    for (const f of err.fieldViolations) lines.push(`  field:         ${f.field}: ${f.description ?? f.value ?? ''}`);
    for (const p of err.permissionViolations) lines.push(`  permission:    ${p.scope ?? p.subject ?? ''} ${p.url ?? ''}`.trimEnd());
    console.error(lines.join('\n'));
    return;
  }
  const message = err instanceof ConfigError || err instanceof UsageError || err instanceof TypeError ? err.message : String((err as Error)?.message ?? err);
  if (json) console.error(JSON.stringify({ error: { message } }, null, 2));
  else console.error(`feishu-hub: ${message}`);
}

/** Terminal columns a character takes: 2 for East Asian wide characters (CJK names) and most emoji. */
function charWidth(ch: string): number {
  const c = ch.codePointAt(0)!;
  const wide =
    (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
  return wide ? 2 : 1;
}

/** The width of a string on a terminal. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** A plain-text table: a header row, then rows; long cells are cut with an ellipsis. Columns line up with CJK text too. */
export function printTable(header: string[], rows: string[][], maxWidth = 60): void {
  const cut = (s: string) => {
    if (displayWidth(s) <= maxWidth) return s;
    let out = '';
    let w = 0;
    for (const ch of s) {
      if (w + charWidth(ch) > maxWidth - 1) break;
      out += ch;
      w += charWidth(ch);
    }
    return `${out}…`;
  };
  const all = [header, ...rows].map((r) => r.map((c) => cut(c.replace(/\s+/g, ' '))));
  const widths = header.map((_, i) => Math.max(...all.map((r) => displayWidth(r[i] ?? ''))));
  const pad = (c: string, i: number) => c + ' '.repeat(Math.max(0, widths[i] - displayWidth(c)));
  for (const r of all) console.log(r.map((c, i) => (i === r.length - 1 ? c : pad(c, i))).join('  '));
}

/** A time from an ISO string or a duration back from now (30s, 15m, 1h, 2d, 1w). */
export function parseSince(value: string, flag = '--since'): Date {
  const m = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (m) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return new Date(Date.now() - Number(m[1]) * unit);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${flag} must be an ISO time (2026-01-31T09:00:00Z) or a duration such as 30m, 2h, 1d (got ${value})`);
  return new Date(t);
}

/** A positive integer flag. */
export function parseCount(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number (got ${value})`);
  return n;
}

/** The hub's database with every built-in capability's migrations (a CLI command may be the first to open it). */
export async function openHubStore(): Promise<import('../../store/index.js').Store> {
  const hubConfig = loadConfig();
  const { builtinCapabilities } = (await import('../../server/capabilities.js')) as { builtinCapabilities: { name: string; migrations?: Record<string, import('kysely').Migration> }[] };
  const { openDatabase } = await import('../../store/index.js');
  const migrations: Record<string, import('kysely').Migration> = {};
  for (const c of builtinCapabilities) for (const [name, m] of Object.entries(c.migrations ?? {})) migrations[`${c.name}/${name}`] = m;
  return openDatabase(hubConfig.databaseUrl, { migrations });
}

/** The platform client: --emulator, the configured app, or (no app configured) the sandbox's local Feishu on FEISHU_EMULATOR_PORT. */
export function platformOrSandbox(flags: ClientFlags): Platform {
  const config = loadConfig();
  if (!flags.emulator && config.sandbox) return platformFor({ emulator: `http://127.0.0.1:${config.emulatorPort}` });
  return platformFor(flags);
}
