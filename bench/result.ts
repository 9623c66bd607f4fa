/**
 * The contract between a benchmark and the runner (bench/index.ts).
 *
 * Every `bench/*.bench.ts` is a benchmark: the runner starts it as `node bin/run-ts.js <file> [--quick]`
 * from the repository root, streams its output, and reads the one line it prints last:
 *   BENCH_RESULT {"name":"outbound-rate","rows":[{"figure":…,"value":…,"reference":…,"ratio":…,"floor":…,"pass":true}]}
 * A row with `pass: null` is informational (no floor). A benchmark exits 0 when every floor is met and
 * 1 when one is missed (useful when it is run on its own); the runner treats a missed floor as a result,
 * and only a benchmark that ends without a BENCH_RESULT line (or is killed) as a crash.
 * Helpers that are not benchmarks themselves are plain `.ts` files in bench/.
 */

export const RESULT_PREFIX = 'BENCH_RESULT ';

export interface BenchRow {
  /** What is measured, e.g. "a/c: receiver vs SDK EventDispatcher + express". */
  figure: string;
  /** The measured figure, with its unit ("12,345 ev/s", "0 × 429"). */
  value: string | number;
  /** What it is compared with (a peer's figure, a limit), or null. */
  reference: string | number | null;
  /** value ÷ reference as a number, or null when there is no ratio. */
  ratio: number | null;
  /** The floor in words ("≥ 2×", "< 20 ms"), or null for an informational row. */
  floor: string | null;
  /** true: floor met; false: missed; null: informational. */
  pass: boolean | null;
}

export interface BenchResult {
  name: string;
  rows: BenchRow[];
}

/** Prints the result line (last) and sets the exit code: 1 when a floor was missed. */
export function reportResult(result: BenchResult): void {
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  process.exitCode = result.rows.some((r) => r.pass === false) ? 1 : 0;
}

/** The result in one line of a benchmark's output, or undefined when the line is not one. */
export function parseResultLine(line: string): BenchResult | undefined {
  if (!line.startsWith(RESULT_PREFIX)) return undefined;
  try {
    const r = JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult;
    return typeof r?.name === 'string' && Array.isArray(r.rows) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** `--quick` given: a benchmark that supports it runs a shorter setting. */
export const quick = process.argv.includes('--quick');
