import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join, relative } from 'node:path';

/** Folders never watched: dependencies, VCS, the hub's own SQLite folder, build output. */
const IGNORED_DIRS = new Set(['node_modules', '.git', 'data', 'dist', 'build', 'coverage', '.cache']);

/** What a restart is for: code, JSON and YAML (feishu-hub.yaml). Logs, databases, editor files are not. */
const WATCHED = /\.([mc]?[jt]s|[jt]sx|json|ya?ml)$/;

/** Files whose change is no reason to restart: not code or settings, dotfiles, tests (`*.test.ts`). */
export function ignoredFile(name: string): boolean {
  return name.startsWith('.') || !WATCHED.test(name) || /\.test\.[mc]?[jt]sx?$/.test(name);
}

export interface TreeWatcher {
  close(): void;
}

/**
 * Watches a folder and its sub-folders (one fs.watch per folder, so it works on Node 20 everywhere and
 * never descends into node_modules or data/), and calls `onChange` with the first changed code or
 * settings file (relative to `root`) once changes have stopped for `debounceMs`.
 *
 * @example
 * const w = watchTree(process.cwd(), (file) => console.log(`${file} changed`));
 */
export function watchTree(root: string, onChange: (file: string) => void, options: { debounceMs?: number } = {}): TreeWatcher {
  const debounceMs = options.debounceMs ?? 150;
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let first: string | undefined;
  let closed = false;

  const changed = (path: string) => {
    first ??= relative(root, path) || basename(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const file = first!;
      first = undefined;
      if (!closed) onChange(file);
    }, debounceMs);
  };

  const add = (dir: string) => {
    if (closed || watchers.has(dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir, (event, name) => {
        if (!name) return changed(dir);
        const file = name.toString();
        const path = join(dir, file);
        if (event === 'rename' && watchers.has(path) && !isDir(path)) {
          watchers.get(path)!.close(); // a watched folder went away (it is watched again if it comes back)
          watchers.delete(path);
        }
        if (event === 'rename' && isDir(path)) {
          if (!IGNORED_DIRS.has(file) && !file.startsWith('.')) add(path); // its files count from now on
          return;
        }
        if (!ignoredFile(basename(file))) changed(path);
      });
    } catch {
      return; // gone already, or not readable
    }
    w.on('error', () => {
      w.close();
      watchers.delete(dir);
    });
    watchers.set(dir, w);
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !IGNORED_DIRS.has(e.name) && !e.name.startsWith('.')) add(join(dir, e.name));
  };

  add(root);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
