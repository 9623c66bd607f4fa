import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hub } from '../server/index.js';

/** What `hub.register` accepts: a function of the hub, or a capability object. */
export type AppDefinition = Parameters<Hub['register']>[0];

/** A problem with the app module itself (missing, no default export…): one line for people, no stack. */
export class AppModuleError extends Error {}

const EXAMPLE = "export default function app(hub) { hub.command('/hello', ({ reply }) => reply.text('hi')); }";

/** The path people wrote, relative to the working directory when that is shorter. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

/** Checks that the app file exists and is a file; answers its absolute path. */
export function resolveAppFile(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new AppModuleError(`${file} not found (looked for ${path}). Give the file whose default export is your app, e.g. feishu-hub dev ./app.ts`);
  if (!statSync(path).isFile()) throw new AppModuleError(`${file} is a directory; give the app's file, e.g. feishu-hub dev ${shown(resolve(path, 'app.ts'))}`);
  return path;
}

function nearestPackageJson(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'package.json');
    if (dirname(dir) === dir) return undefined;
  }
}

/** Does node treat .ts/.js files here as ES modules ("type": "module" in the nearest package.json, or .mts/.mjs)? */
function isEsmScope(file: string): boolean {
  if (/\.m[jt]s$/.test(file)) return true;
  const pkg = nearestPackageJson(file);
  if (!pkg) return false;
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module';
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object without a "name" (keys: ${Object.keys(value as object).join(', ') || 'none'})`;
  return `a ${typeof value}`;
}

/**
 * Imports a user's app module (TypeScript works: the CLI runs under tsx) and answers its default
 * export: a function of the hub `(hub) => void | Promise<void>` or a capability object (`{ name, setup… }`).
 * Errors thrown while the module loads (syntax errors, failing imports) are the user's and come through
 * as they are, with their stack.
 *
 * @example
 * const app = await loadAppModule('./app.ts');
 * await startHub(loadConfig(), { setup: async (hub) => { await hub.register(app); } });
 */
export async function loadAppModule(file: string): Promise<AppDefinition> {
  const path = resolveAppFile(file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'ERR_REQUIRE_CYCLE_MODULE' || code === 'ERR_REQUIRE_ESM') && !isEsmScope(path)) {
      throw new AppModuleError(
        `${shown(path)} uses import/export, but it is in a CommonJS package (no "type": "module" in ${nearestPackageJson(path) ?? 'any package.json above it'}). Add "type": "module" to package.json (feishu-hub init does), or name the file .mts`,
      );
    }
    throw err;
  }
  let app = mod.default;
  // A .ts file in a CommonJS package, compiled to CommonJS: its exports object is the namespace's default.
  if (app !== null && typeof app === 'object' && (app as { __esModule?: boolean }).__esModule) app = (app as { default?: unknown }).default;
  if (app === undefined) {
    const named = Object.keys(mod).filter((k) => k !== 'default');
    const hint = named.length ? ` (it exports ${named.join(', ')}; make the app the default export)` : '';
    throw new AppModuleError(`${shown(path)} has no default export${hint}. Write for example: ${EXAMPLE}`);
  }
  if (typeof app === 'function') return app as AppDefinition;
  if (app !== null && typeof app === 'object' && !Array.isArray(app) && typeof (app as { name?: unknown }).name === 'string') return app as AppDefinition;
  throw new AppModuleError(
    `the default export of ${shown(path)} must be a function of the hub ((hub) => { hub.command(…) }) or a capability object ({ name: '…', setup… }); it is ${describe(app)}`,
  );
}
