import { describe, expect, it } from 'vitest';
import { Dispatcher, ListenerError } from '../../src/events/dispatcher.js';

type Ctx = { type: string; trail: string[] };
const ctx = (type: string): Ctx => ({ type, trail: [] });

describe('Dispatcher', () => {
  it('runs middleware around the listeners in order, like Koa', async () => {
    const d = new Dispatcher<Ctx>((c) => c.type);
    d.use(async (c, next) => {
      c.trail.push('a:in');
      await next();
      c.trail.push('a:out');
    });
    d.use(async (c, next) => {
      c.trail.push('b');
      await next();
    });
    d.on('x', (c) => void c.trail.push('listener'));
    const c = ctx('x');
    expect(await d.dispatch(c)).toEqual({ matched: 1 });
    expect(c.trail).toEqual(['a:in', 'b', 'listener', 'a:out']);
  });

  it('lets middleware stop an event by not calling next', async () => {
    const d = new Dispatcher<Ctx>((c) => c.type);
    d.use(async () => {});
    d.on('x', (c) => void c.trail.push('listener'));
    const c = ctx('x');
    await d.dispatch(c);
    expect(c.trail).toEqual([]);
  });

  it('runs every matching listener even when one throws, then reports all failures', async () => {
    const d = new Dispatcher<Ctx>((c) => c.type);
    d.on('x', () => {
      throw new Error('boom');
    });
    d.on((c) => c.type.startsWith('x'), (c) => void c.trail.push('second'), 'prefix');
    const c = ctx('x');
    const err = await d.dispatch(c).catch((e) => e);
    expect(err).toBeInstanceOf(ListenerError);
    expect(err.message).toBe('x: boom');
    expect(c.trail).toEqual(['second']);
  });

  it('reports 0 matches for an event nobody listens to', async () => {
    const d = new Dispatcher<Ctx>((c) => c.type);
    d.on('x', () => {});
    expect(await d.dispatch(ctx('y'))).toEqual({ matched: 0 });
    expect(d.types()).toEqual(['x']);
  });

  it('refuses next() called twice', async () => {
    const d = new Dispatcher<Ctx>((c) => c.type);
    d.use(async (_c, next) => {
      await next();
      await next();
    });
    await expect(d.dispatch(ctx('x'))).rejects.toThrow(/more than once/);
  });
});
