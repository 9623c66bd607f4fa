import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatIssues, validateCard, MAX_CARD_BYTES, type CardIssue } from '../../cards/index.js';

/** Where command output goes (the console in the CLI, arrays in tests). */
export interface CardIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CardIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

export interface FileResult {
  file: string;
  ok: boolean;
  errors: CardIssue[];
}

async function readCard(file: string): Promise<{ card?: unknown; problem?: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { problem: `cannot read the file: ${(err as Error).message}` };
  }
  try {
    return { card: JSON.parse(text) };
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
}

/** Validates card files; returns the exit code (0 all valid, 1 otherwise). @example process.exitCode = await validateFiles(['card.json'], { json: true }) */
export async function validateFiles(files: string[], options: { json?: boolean; maxBytes?: number }, io: CardIo = consoleIo): Promise<number> {
  const results: FileResult[] = [];
  for (const file of files) {
    const { card, problem } = await readCard(file);
    if (problem !== undefined) {
      results.push({ file, ok: false, errors: [{ path: '', rule: 'type', message: problem }] });
      continue;
    }
    const r = validateCard(card, { maxBytes: options.maxBytes });
    results.push({ file, ok: r.ok, errors: r.ok ? [] : r.errors });
  }
  if (options.json) io.out(JSON.stringify(results, null, 2));
  else {
    for (const r of results) {
      if (r.ok) io.out(`valid    ${r.file}`);
      else io.out(`invalid  ${r.file}\n${formatIssues(r.errors)}`);
    }
    const bad = results.filter((r) => !r.ok).length;
    io.out(bad ? `${bad} of ${results.length} card(s) invalid` : `${results.length} card(s) valid`);
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

/**
 * Validates a card file, then asks a running emulator to render it
 * (`POST /__emulator/cards/preview {card}` → `{url}`) and prints the URL. Returns the exit code.
 * @example await previewFile('card.json', { emulator: 'http://127.0.0.1:9000' })
 */
export async function previewFile(file: string, options: { emulator: string }, io: CardIo = consoleIo): Promise<number> {
  const { card, problem } = await readCard(file);
  if (problem !== undefined) {
    io.err(`${file}: ${problem}`);
    return 1;
  }
  const checked = validateCard(card);
  if (!checked.ok) {
    io.err(`invalid  ${file} (not previewed)\n${formatIssues(checked.errors)}`);
    return 1;
  }
  const base = options.emulator.replace(/\/+$/, '');
  const route = `${base}/__emulator/cards/preview`;
  let res: Response;
  try {
    res = await fetch(route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ card }) });
  } catch {
    io.err(`no emulator is answering at ${base}: the emulator must be running (start it with \`feishu-hub emulator\`, or pass --emulator <url>)`);
    return 1;
  }
  const body = (await res.json().catch(() => undefined)) as { url?: unknown; msg?: unknown } | undefined;
  if (res.status === 404 && typeof body?.url !== 'string') {
    io.err(`the server at ${base} has no card preview route (POST /__emulator/cards/preview): the emulator must be running there, in a version with the web client`);
    return 1;
  }
  if (!res.ok || typeof body?.url !== 'string') {
    io.err(`the emulator could not preview the card (HTTP ${res.status})${typeof body?.msg === 'string' ? `: ${body.msg}` : ''}`);
    return 1;
  }
  io.out(new URL(body.url, `${base}/`).toString());
  return 0;
}

/** `feishu-hub card validate <files…>` and `feishu-hub card preview <file>`. @example registerCardCommand(program) */
export function registerCardCommand(program: Command): void {
  const card = program.command('card').description('Check and preview interactive cards (schema 1.0 and 2.0, template cards)');
  card
    .command('validate')
    .description('Validate card JSON files the way the platform does; exit 1 when any is invalid (for CI)')
    .argument('<files...>', 'card JSON files')
    .option('--json', 'print the results as JSON')
    .option('--max-bytes <n>', 'size limit in bytes (20480 for group-bot webhooks)', String(MAX_CARD_BYTES))
    .action(async (files: string[], o: { json?: boolean; maxBytes: string }) => {
      const maxBytes = Number(o.maxBytes);
      if (!Number.isInteger(maxBytes) || maxBytes <= 0) throw new Error(`--max-bytes must be a positive integer, got ${o.maxBytes}`);
      process.exitCode = await validateFiles(files, { json: o.json, maxBytes });
    });
  card
    .command('preview')
    .description('Render a card in the running emulator and print the URL to open')
    .argument('<file>', 'card JSON file')
    .option('--emulator <url>', 'base URL of the running emulator', 'http://127.0.0.1:9000')
    .action(async (file: string, o: { emulator: string }) => {
      process.exitCode = await previewFile(file, { emulator: o.emulator });
    });
}
