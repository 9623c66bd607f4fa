import { describe, expect, it } from 'vitest';
import { BITABLE_LIMITS, chunk, derivedClientToken } from '../../src/bitable/index.js';
import { parseFilter, cellText } from '../../src/bitable/cli.js';
import { FieldType } from '../../src/bitable/index.js';
import { apiKey, tierOf, type Platform } from '../../src/platform/index.js';
import { queueWrite } from '../../src/bitable/batching.js';

describe('bitable chunking and keys', () => {
  it('chunks to each call\'s limit, the last chunk holding the rest', () => {
    const rows = Array.from({ length: 2500 }, (_, i) => i);
    expect(chunk(rows, BITABLE_LIMITS.batchCreate).map((c) => c.length)).toEqual([1000, 1000, 500]);
    expect(chunk(rows, BITABLE_LIMITS.batchDelete).map((c) => c.length)).toEqual([500, 500, 500, 500, 500]);
    expect(chunk(rows.slice(0, 250), BITABLE_LIMITS.batchGet).map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunk([], 10)).toEqual([]);
    expect(chunk(rows, 1000).flat()).toEqual(rows);
    expect(() => chunk(rows, 0)).toThrow(RangeError);
    expect(BITABLE_LIMITS).toMatchObject({ batchCreate: 1000, batchUpdate: 1000, batchDelete: 500, batchGet: 100, searchPage: 500 });
  });

  it('derives one uuid-v4-shaped client_token per chunk, the same for the same key and part', () => {
    const a0 = derivedClientToken('job-1', 0);
    expect(a0).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedClientToken('job-1', 0)).toBe(a0);
    expect(derivedClientToken('job-1', 1)).not.toBe(a0);
    expect(derivedClientToken('job-2', 0)).not.toBe(a0);
  });

  it('bitable paths map to their API whatever the ids look like, so each API gets its tier', () => {
    // Short ids with no digit are ids too (emulator and platform ids are random letters and digits).
    expect(apiKey('PUT', '/open-apis/bitable/v1/apps/bascnAbcdefgh/tables/tblAbcdefghijklm/records/recAbcdEfgh')).toBe('PUT /open-apis/bitable/v1/apps/:id/tables/:id/records/:id');
    expect(apiKey('POST', '/open-apis/bitable/v1/apps/bascnAbcdefgh/tables/tblAbcdefghijklm/records/batch_create')).toBe('POST /open-apis/bitable/v1/apps/:id/tables/:id/records/batch_create');
    expect(apiKey('POST', '/open-apis/bitable/v1/apps/bascn1/tables/tblX/records/search')).toBe('POST /open-apis/bitable/v1/apps/:id/tables/:id/records/search');
    expect(apiKey('DELETE', '/open-apis/bitable/v1/apps/bascn1/tables/tblX/fields/fldAbCdEfG')).toBe('DELETE /open-apis/bitable/v1/apps/:id/tables/:id/fields/:id');
    expect(tierOf(apiKey('POST', '/open-apis/bitable/v1/apps/bascnQ/tables/tblQ/records/batch_create'))).toEqual({ perSecond: 50 });
    expect(tierOf(apiKey('POST', '/open-apis/bitable/v1/apps/bascnQ/tables/tblQ/records/search'))).toEqual({ perSecond: 20 });
    expect(tierOf(apiKey('PUT', '/open-apis/bitable/v1/apps/bascnQ/tables/tblQ/records/recQ'))).toEqual({ perSecond: 50 });
    expect(apiKey('GET', '/open-apis/im/v1/chats')).toBe('GET /open-apis/im/v1/chats');
  });
});

describe('bitable CLI helpers', () => {
  it('parses a filter and refuses what is not one', () => {
    expect(parseFilter('{"conjunction":"and","conditions":[{"field_name":"S","operator":"is","value":["x"]}]}')).toEqual({ conjunction: 'and', conditions: [{ field_name: 'S', operator: 'is', value: ['x'] }] });
    expect(parseFilter(undefined)).toBeUndefined();
    expect(() => parseFilter('nope')).toThrow(/must be JSON/);
    expect(() => parseFilter('{"conditions":[]}')).toThrow(/conjunction/);
  });

  it('shows cells as plain text', () => {
    const f = (type: number) => ({ field_id: 'f', field_name: 'x', type });
    expect(cellText(f(FieldType.Text), [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }])).toBe('ab');
    expect(cellText(f(FieldType.DateTime), 1704153600000)).toBe('2024-01-02 00:00');
    expect(cellText(f(FieldType.User), [{ id: 'ou_1' }, { id: 'ou_2' }])).toBe('ou_1, ou_2');
    expect(cellText(f(FieldType.Url), { text: 'X', link: 'https://x' })).toBe('https://x');
    expect(cellText(f(FieldType.Checkbox), true)).toBe('true');
    expect(cellText(undefined, null)).toBe('');
  });
});

describe('bitable per-base write queue', () => {
  const platform = {} as Platform;
  const later = <T>(ms: number, v: T, log: string[], name: string) => async () => {
    log.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`end ${name}`);
    if (v instanceof Error) throw v;
    return v;
  };

  it('one write at a time per base, in call order; a failed write does not block the next; other bases run alongside', async () => {
    const log: string[] = [];
    const a1 = queueWrite(platform, 'baseA', later(30, 1, log, 'a1'));
    const a2 = queueWrite(platform, 'baseA', later(5, new Error('refused'), log, 'a2'));
    const b1 = queueWrite(platform, 'baseB', later(5, 'b', log, 'b1'));
    const a3 = queueWrite(platform, 'baseA', later(5, 3, log, 'a3'));
    expect(await a1).toBe(1);
    await expect(a2).rejects.toThrow('refused');
    expect(await a3).toBe(3);
    expect(await b1).toBe('b');
    const a = log.filter((l) => l.endsWith('a1') || l.endsWith('a2') || l.endsWith('a3'));
    expect(a).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1')); // baseB did not wait for baseA
  });
});
