import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm install` warns EBADENGINE for any locked package whose `engines.node` leaves out the Node we say
 * we support (package.json engines: >=20). cookie 2 (via fastify → light-my-request) wants Node 22, so
 * package.json pins it with `overrides`; this keeps the next such dependency from slipping in unnoticed.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(resolve(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean }> };

/** The lowest major a range such as ">=18", ">= 14.17", "^20.19.0 || >=22.12" lets in (undefined: not understood). */
function lowestMajor(range: string): number | undefined {
  const majors = range.split('||').map((part) => /^\s*(?:>=|\^|~)?\s*v?(\d+)/.exec(part)?.[1] ?? (part.trim() === '*' ? '0' : undefined));
  if (majors.some((m) => m === undefined)) return undefined;
  return Math.min(...majors.map(Number));
}

describe('dependencies and the Node we support', () => {
  it(`package.json says Node ${pkg.engines.node}`, () => {
    expect(pkg.engines.node).toBe('>=20');
  });

  it('no locked package needs a newer Node than 20 (no EBADENGINE on npm install)', () => {
    const tooNew = Object.entries(lock.packages)
      .filter(([path, p]) => path && !Array.isArray(p.engines) && p.engines?.node)
      .map(([path, p]) => ({ path, version: p.version, node: (p.engines as { node: string }).node, major: lowestMajor((p.engines as { node: string }).node) }))
      .filter((p) => p.major !== undefined && p.major > 20);
    expect(tooNew).toEqual([]);
  });

  it('cookie under light-my-request is pinned to a release that supports Node 20', () => {
    expect(pkg.overrides?.['light-my-request']?.cookie).toBe('1.1.1');
    expect(lock.packages['node_modules/light-my-request/node_modules/cookie']).toMatchObject({ version: '1.1.1', engines: { node: '>=18' } });
  });
});
