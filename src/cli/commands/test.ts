import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';

const TEST_FILE = /\.test\.(ts|mts|js|mjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'data', 'dist', 'build', 'coverage']);

/** Test files under `dir` (node_modules, data/ and dot-folders excepted), sorted. */
export function findTestFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const path = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(path);
      } else if (TEST_FILE.test(e.name)) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The tsx loader feishu-hub itself runs on, resolved from this package (a project made by
 * `feishu-hub init` depends on feishu-hub only, not on tsx).
 */
export function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * `feishu-hub test [files…]`: node's own test runner (node:test) over the project's `*.test.ts` files,
 * with TypeScript loaded by feishu-hub's tsx. No other dependency is needed.
 */
export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description("Run your app's tests (*.test.ts, written with node:test and createTestHub) with node's test runner; TypeScript works")
    .argument('[paths...]', 'test files or folders (default: every *.test.ts / *.test.js under the current folder, node_modules excepted)')
    .option('--only', "run only tests marked { only: true } (node's --test-only)")
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  feishu-hub test',
        '  feishu-hub test app.test.ts',
        '',
        'A test, e.g. app.test.ts:',
        "  import { test } from 'node:test'; import assert from 'node:assert/strict';",
        "  import { createTestHub } from 'feishu-hub'; import app from './app.ts';",
        "  test('/hello', async (t) => { const hub = await createTestHub({ setup: (h) => h.register(app) }); t.after(() => hub.close());",
        "    assert.equal((await hub.say('/hello'))[0].text, 'Hello!'); });",
      ].join('\n'),
    )
    .action(async (paths: string[], o: { only?: boolean }) => {
      const files: string[] = [];
      for (const p of paths.length ? paths : ['.']) {
        const abs = resolve(p);
        if (!existsSync(abs)) {
          console.error(`feishu-hub: ${p} not found`);
          process.exit(1);
        }
        if (statSync(abs).isDirectory()) files.push(...findTestFiles(abs));
        else files.push(abs);
      }
      if (files.length === 0) {
        console.error(`feishu-hub: no test files (*.test.ts, *.test.js) under ${paths.join(', ') || process.cwd()}`);
        process.exit(1);
      }
      const args = ['--import', tsxLoaderUrl(), '--test', ...(o.only ? ['--test-only'] : []), ...files.map((f) => relative(process.cwd(), f) || f)];
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    });
}
