import type { Command } from 'commander';
import { platformFor, printError, printTable, UsageError, type ClientFlags } from '../cli/commands/_client.js';
import { loadConfig } from '../config/index.js';
import type { Platform } from '../platform/index.js';
import { BitableClient } from './client.js';
import type { BitableField, RecordFilter } from './types.js';
import { FieldType, fromReadValue } from './values.js';

const json = (v: unknown) => console.log(JSON.stringify(v, null, 2));

/** The platform client: --emulator, the configured app, or (no app configured) the sandbox's local Feishu. */
function platformOf(flags: ClientFlags): Platform {
  const config = loadConfig();
  if (!flags.emulator && config.sandbox) return platformFor({ emulator: `http://127.0.0.1:${config.emulatorPort}` });
  return platformFor(flags);
}

async function withClient(flags: ClientFlags, body: (b: BitableClient) => Promise<void>): Promise<void> {
  let platform: Platform | undefined;
  try {
    platform = platformOf(flags);
    await body(new BitableClient(platform));
  } catch (err) {
    printError(err, flags.json);
    process.exitCode = 1;
  } finally {
    await platform?.close();
  }
}

const TYPE_NAMES = new Map<number, string>(Object.entries(FieldType).map(([name, n]) => [n, name]));

/** A cell for people: plain value, dates as UTC time, lists joined. */
export function cellText(field: BitableField | undefined, value: unknown): string {
  const plain = field ? fromReadValue(field.type, value) : value;
  if (plain === null || plain === undefined) return '';
  if (plain instanceof Date) return plain.toISOString().replace('T', ' ').replace(/:00\.000Z$|\.\d{3}Z$/, '');
  if (Array.isArray(plain)) return plain.map((v) => cellText(undefined, v)).join(', ');
  if (typeof plain === 'object') {
    const o = plain as Record<string, unknown>;
    return String(o.link ?? o.full_address ?? o.location ?? o.name ?? o.file_token ?? JSON.stringify(o));
  }
  return String(plain);
}

export function parseFilter(text: string | undefined): RecordFilter | undefined {
  if (text === undefined) return undefined;
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch {
    throw new UsageError(`--filter must be JSON, e.g. '{"conjunction":"and","conditions":[{"field_name":"Status","operator":"is","value":["Done"]}]}'`);
  }
  const o = f as RecordFilter;
  if (!o || typeof o !== 'object' || (o.conjunction !== 'and' && o.conjunction !== 'or')) {
    throw new UsageError('--filter must be an object with "conjunction": "and" | "or" and "conditions": [{field_name, operator, value}]');
  }
  return o;
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return 100;
  if (!/^\d+$/.test(text)) throw new UsageError(`--limit must be a whole number (0 for all), got ${text}`);
  const n = Number(text);
  return n === 0 ? undefined : n;
}

export function registerBitableCommands(program: Command): void {
  const bitable = program.command('bitable').description('Bitable (Base): list a base\'s tables, read a table\'s records');
  const emulatorHelp = 'use a local emulator (default with no FEISHU_APP_ID: the sandbox\'s, on FEISHU_EMULATOR_PORT)';

  bitable
    .command('tables <app_token>')
    .description('the tables of a base, with their field count and primary field')
    .option('--emulator <url>', emulatorHelp)
    .option('--json', 'print JSON (tables with their fields) for scripts')
    .addHelpText('after', '\nExamples:\n  feishu-hub bitable tables bascnXXXXXXXX\n  feishu-hub bitable tables bascnXXXXXXXX --json | jq \'.[].fields[].field_name\'\n  feishu-hub bitable tables bascnXXXXXXXX --emulator http://127.0.0.1:9000')
    .action(async (appToken: string, o: ClientFlags) => {
      await withClient(o, async (b) => {
        const tables = await b.listTables(appToken);
        const withFields = await Promise.all(tables.map(async (t) => ({ ...t, fields: await b.fields(appToken, t.table_id) })));
        if (o.json) return json(withFields);
        if (!withFields.length) return void console.log(`base ${appToken} has no tables`);
        printTable(
          ['TABLE ID', 'NAME', 'FIELDS', 'PRIMARY FIELD'],
          withFields.map((t) => {
            const primary = t.fields.find((f) => f.is_primary) ?? t.fields[0];
            return [t.table_id, t.name, String(t.fields.length), primary ? `${primary.field_name} (${TYPE_NAMES.get(primary.type) ?? primary.type})` : ''];
          }),
        );
      });
    });

  bitable
    .command('records <app_token> <table_id>')
    .description('a table\'s records (records/search): a table of plain values, or --json as the API answers them')
    .option('--filter <json>', 'a records/search filter: {"conjunction":"and","conditions":[{"field_name","operator","value":[…]}]}')
    .option('--limit <n>', 'at most n records (default 100; 0 for all)')
    .option('--emulator <url>', emulatorHelp)
    .option('--json', 'print the records as JSON (the read format, keyed by field name)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  feishu-hub bitable records bascnXXXXXXXX tblXXXXXXXX',
        '  feishu-hub bitable records bascnXXXXXXXX tblXXXXXXXX --limit 0 --json > records.json',
        `  feishu-hub bitable records bascnXXXXXXXX tblXXXXXXXX --filter '{"conjunction":"and","conditions":[{"field_name":"Status","operator":"is","value":["Done"]}]}'`,
        '',
        'Filter operators: is, isNot, contains, doesNotContain, isEmpty, isNotEmpty, isGreater, isGreaterEqual, isLess, isLessEqual;',
        'value is always a list of strings (dates: ["ExactDate","<ms>"], ["Today"] …).',
      ].join('\n'),
    )
    .action(async (appToken: string, tableId: string, o: ClientFlags & { filter?: string; limit?: string }) => {
      await withClient(o, async (b) => {
        const filter = parseFilter(o.filter);
        const limit = parseLimit(o.limit);
        const [fields, records] = await Promise.all([b.fields(appToken, tableId), collect(b.records(appToken, tableId, { filter, limit }))]);
        if (o.json) return json(records);
        if (!records.length) return void console.log('no records match');
        const byName = new Map(fields.map((f) => [f.field_name, f]));
        const columns = fields.map((f) => f.field_name);
        printTable(['RECORD ID', ...columns], records.map((r) => [r.record_id, ...columns.map((c) => cellText(byName.get(c), r.fields[c]))]), 40);
        if (limit !== undefined && records.length === limit) console.log(`(first ${limit}; --limit 0 for all)`);
      });
    });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
