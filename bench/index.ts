/**
 * Runs every benchmark and prints one summary table: `npm run bench [-- [name…] [--quick] [--list] [-- args…]]`.
 *
 * A benchmark is any `bench/*.bench.ts` (found at start, no list to edit: a capability brings its own).
 * Each runs as its own child process, `node bin/run-ts.js <file> [--quick] [args…]` from the repository
 * root, one after another (they measure throughput, so never side by side), its output streamed live.
 * It ends by printing one `BENCH_RESULT {json}` line (bench/result.ts) that this runner collects.
 *
 *   name…    run only the benchmarks whose name contains one of these (case-insensitive), e.g. `inbound`
 *   --quick  passed on: benchmarks that support it run a shorter setting (inbound: 3 rounds, 1 paced round)
 *   --list   print the benchmarks found and exit
 *   -- args  passed on verbatim to every benchmark run (e.g. `npm run bench -- inbound -- --rounds 5`)
 *
 * Exit code: 0 when every benchmark produced its result, whether or not a floor was met (a missed floor
 * is a result, shown as FAIL); 1 when one crashed (no BENCH_RESULT line, killed, or a non-zero exit with
 * every floor met); 2 on a usage error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseResultLine, type BenchResult } from './result.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SUFFIX = '.bench.ts';

function usage(problem?: string): never {
  if (problem) console.error(problem);
  console.error('usage: npm run bench -- [name…] [--quick] [--list] [-- args passed to each benchmark…]');
  process.exit(2);
}

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
const passOn = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
const flags = new Set(own.filter((a) => a.startsWith('-')));
const filters = own.filter((a) => !a.startsWith('-')).map((a) => a.toLowerCase());
for (const f of flags) if (!['--quick', '--list', '--help', '-h'].includes(f)) usage(`unknown option ${f}`);
if (flags.has('--help') || flags.has('-h')) usage();

const all = readdirSync(join(ROOT, 'bench'))
  .filter((f) => f.endsWith(SUFFIX))
  .sort()
  .map((f) => ({ name: f.slice(0, -SUFFIX.length), file: `bench/${f}` }));
const selected = filters.length ? all.filter((b) => filters.some((s) => b.name.toLowerCase().includes(s))) : all;
if (flags.has('--list')) {
  for (const b of all) console.log(`${selected.includes(b) ? '*' : ' '} ${b.name.padEnd(20)} ${b.file}`);
  process.exit(0);
}
if (!selected.length) usage(`no benchmark matches ${filters.join(', ')} (found: ${all.map((b) => b.name).join(', ') || 'none'})`);

interface Outcome {
  name: string;
  file: string;
  seconds: number;
  result?: BenchResult;
  crash?: string;
}

let current: ChildProcess | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // A terminal's Ctrl-C reaches the child too; a signal sent to this process alone is passed on.
    current?.kill(sig);
    process.exit(130);
  });
}

function runOne(bench: { name: string; file: string }, args: string[]): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', bench.file, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    current = child;
    let result: BenchResult | undefined;
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) result = parseResultLine(line.trimEnd()) ?? result;
    });
    const done = (crash: string | undefined) => {
      current = undefined;
      resolve({ ...bench, seconds: (performance.now() - started) / 1000, result, crash });
    };
    child.once('error', (err) => done(`could not start: ${err.message}`));
    child.once('close', (code, signal) => {
      if (partial) result = parseResultLine(partial.trimEnd()) ?? result;
      if (signal) return done(`killed by ${signal}`);
      if (!result) return done(`exited ${code} without a BENCH_RESULT line`);
      if (!result.rows.length) return done('BENCH_RESULT has no rows');
      const missed = result.rows.some((r) => r.pass === false);
      if (code !== 0 && (code !== 1 || !missed)) return done(`exited ${code} after its result`);
      done(undefined);
    });
  });
}

const args = [...(flags.has('--quick') ? ['--quick'] : []), ...passOn];
const t0 = performance.now();
const outcomes: Outcome[] = [];
console.log(`benchmarks: ${selected.map((b) => b.name).join(', ')}${args.length ? ` (with ${args.join(' ')})` : ''}`);
for (const bench of selected) {
  console.log(`\n━━ ${bench.name} (node bin/run-ts.js ${[bench.file, ...args].join(' ')}) ━━\n`);
  const o = await runOne(bench, args);
  outcomes.push(o);
  console.log(`\n━━ ${bench.name}: ${o.crash ? `CRASH (${o.crash})` : 'done'} in ${o.seconds.toFixed(1)} s ━━`);
}

const cell = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v));
const table: string[][] = [['bench', 'figure', 'value', 'reference', 'ratio', 'floor', 'result']];
for (const o of outcomes) {
  for (const r of o.result?.rows ?? []) {
    table.push([o.name, String(r.figure), cell(r.value), cell(r.reference), typeof r.ratio === 'number' ? r.ratio.toFixed(3) : '—', r.floor ?? '—', r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL']);
  }
  if (o.crash) table.push([o.name, `crashed after ${o.seconds.toFixed(1)} s`, o.crash, '—', '—', '—', 'CRASH']);
}
for (const row of table) for (let i = 0; i < row.length; i++) row[i] = row[i].replaceAll('|', '\\|'); // a Markdown table
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
const rows = outcomes.flatMap((o) => o.result?.rows ?? []);
const count = (p: boolean | null) => rows.filter((r) => r.pass === p).length;
const crashed = outcomes.filter((o) => o.crash).length;
const minutes = (performance.now() - t0) / 60_000;

console.log(`\n== summary: ${outcomes.length} benchmark(s) in ${minutes.toFixed(1)} min${args.length ? `, with ${args.join(' ')}` : ''} ==\n`);
console.log(line(table[0]));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table.slice(1)) console.log(line(row));
console.log(`\n${count(true)} floor(s) met, ${count(false)} missed, ${count(null)} informational, ${crashed} crashed`);
process.exitCode = crashed ? 1 : 0;
