import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

/** The feishu-hub package this command runs from (what the new project depends on). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/[\\/]$/, '');
const TEMPLATE_DIR = join(PACKAGE_ROOT, 'templates', 'app');

/**
 * Template files and their names in the project. npm never packs a file named `.gitignore`, so the
 * template keeps it as `gitignore`.
 */
const FILES: Record<string, string> = {
  'app.ts': 'app.ts',
  'app.test.ts': 'app.test.ts',
  'feishu-hub.yaml': 'feishu-hub.yaml',
  'README.md': 'README.md',
  'tsconfig.json': 'tsconfig.json',
  gitignore: '.gitignore',
};

/** Entries that do not make a folder "not empty". */
const HARMLESS = new Set(['.git', '.DS_Store', 'Thumbs.db']);

/** An npm package name from a folder name: lower case, URL-safe. */
export function packageName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return name || 'feishu-app';
}

/** The new project's package.json: `npm start` = dev with restarts, `npm test` = node's test runner via feishu-hub. */
export function projectPackageJson(name: string, feishuHubSpec: string): Record<string, unknown> {
  const hub = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { engines?: Record<string, string>; overrides?: Record<string, unknown>; allowScripts?: Record<string, unknown> };
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: hub.engines ?? { node: '>=20' },
    scripts: {
      start: 'feishu-hub dev app.ts',
      test: 'feishu-hub test',
    },
    dependencies: {
      // Not on the registry yet: the copy `feishu-hub init` ran from (see README.md).
      'feishu-hub': feishuHubSpec,
    },
    // npm applies overrides and install-script permissions of the root project only: feishu-hub's own.
    ...(hub.overrides && { overrides: hub.overrides }),
    ...(hub.allowScripts && { allowScripts: hub.allowScripts }),
  };
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (all, key: string) => values[key] ?? all);
}

/**
 * `feishu-hub init <dir>`: a project whose README's two commands work as they are — `npm install &&
 * npm start` (the bot in the local Feishu, restarted on change) and `npm test`.
 */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('Create a feishu-hub project: app.ts (a /hello command and a card button), its test, feishu-hub.yaml, README')
    .argument('<dir>', 'folder to create (or an empty one)')
    .option('-f, --force', 'write into a folder that is not empty (files of the same name are replaced)')
    .addHelpText('after', ['', 'Examples:', '  feishu-hub init my-bot', '  cd my-bot && npm install && npm start', '  npm test'].join('\n'))
    .action((dir: string, o: { force?: boolean }) => {
      const target = resolve(dir);
      if (existsSync(target)) {
        if (!statSync(target).isDirectory()) throw new Error(`${dir} exists and is not a folder`);
        const present = readdirSync(target).filter((e) => !HARMLESS.has(e));
        if (present.length > 0 && !o.force) {
          const list = present.slice(0, 5).join(', ') + (present.length > 5 ? ', …' : '');
          throw new Error(`${dir} is not empty (${list}); choose a new folder, or add --force to write the project files into it`);
        }
      }
      mkdirSync(target, { recursive: true });
      const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      const feishuHubSpec = `file:${PACKAGE_ROOT}`;
      const name = packageName(target);
      const values = { name, feishuHubSpec, feishuHubVersion: version };
      const written: string[] = [];
      for (const [from, to] of Object.entries(FILES)) {
        writeFileSync(join(target, to), fill(readFileSync(join(TEMPLATE_DIR, from), 'utf8'), values));
        written.push(to);
      }
      writeFileSync(join(target, 'package.json'), `${JSON.stringify(projectPackageJson(name, feishuHubSpec), null, 2)}\n`);
      written.push('package.json');

      const shownDir = relative(process.cwd(), target) || '.';
      console.log(`Created ${shownDir}/: ${written.join(', ')}`);
      console.log('');
      console.log('Next:');
      if (shownDir !== '.') console.log(`  cd ${shownDir.includes(' ') ? JSON.stringify(shownDir) : shownDir}`);
      console.log('  npm install && npm start   # the bot against the built-in local Feishu: open the URL it prints, write @bot /hello');
      console.log('  npm test                   # its test, with createTestHub');
    });
}
