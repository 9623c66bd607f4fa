import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/cards/index.js';

const corpus = join(import.meta.dirname, 'corpus');
const cardsIn = (dir: string) => readdirSync(join(corpus, dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json')).sort();
const read = (dir: string, file: string) => JSON.parse(readFileSync(join(corpus, dir, file), 'utf8')) as unknown;

const valid = cardsIn('valid');
const invalid = cardsIn('invalid');

describe('card corpus', () => {
  it('holds at least 40 valid and 40 invalid cards, each invalid one with its expectation', () => {
    expect(valid.length).toBeGreaterThanOrEqual(40);
    expect(invalid.length).toBeGreaterThanOrEqual(40);
    for (const f of invalid) expect(() => read('invalid', f.replace(/\.json$/, '.expect.json')), f).not.toThrow();
  });

  it.each(valid)('valid/%s passes', (file) => {
    const result = validateCard(read('valid', file));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(invalid)('invalid/%s fails with the expected path and rule', (file) => {
    const expected = read('invalid', file.replace(/\.json$/, '.expect.json')) as { path: string; rule: string };
    const result = validateCard(read('invalid', file));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(({ path, rule }) => ({ path, rule }))).toContainEqual(expected);
    for (const e of result.errors) expect(e.message.length).toBeGreaterThan(10);
  });
});
