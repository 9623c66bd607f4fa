import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';

/**
 * Serving a browser client with no bundler and no CDN, shared by the emulator's web client and the
 * hub's console (neither imports the other): preact and htm as ES modules from node_modules, the
 * content types, and files read from inside one folder only.
 */

const require = createRequire(import.meta.url);

/** The ES module builds the pages import through their import maps. */
export const BROWSER_MODULES: Readonly<Record<string, string>> = {
  'preact.mjs': require.resolve('preact'),
  'hooks.mjs': require.resolve('preact/hooks'),
  // htm's require entry is dist/htm.js; its ES module build sits beside it.
  'htm.mjs': join(dirname(require.resolve('htm')), 'htm.mjs'),
};

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** `rel` inside `dir`, or undefined when it would leave it (`../`). */
export function fileWithin(dir: string, rel: string): string | undefined {
  const file = normalize(join(dir, rel));
  return file.startsWith(dir.endsWith(sep) ? dir : dir + sep) ? file : undefined;
}

/** A file's bytes and content type, or undefined when it cannot be read. */
export async function readStatic(file: string): Promise<{ type: string; body: Buffer } | undefined> {
  try {
    return { type: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body: await readFile(file) };
  } catch {
    return undefined;
  }
}
