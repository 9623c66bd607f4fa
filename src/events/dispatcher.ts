import { compose, type Middleware } from './middleware.js';

export type Listener<C> = (ctx: C) => unknown | Promise<unknown>;
/** A listener matches an event type exactly, or by a predicate over the context. */
export type ListenerMatch<C> = string | ((ctx: C) => boolean);

interface Registration<C> {
  match: ListenerMatch<C>;
  listener: Listener<C>;
  /** A name for logs and errors (the event type, `/command`, action key…). */
  name: string;
}

export interface DispatchResult {
  /** Listeners that ran. 0 means the event had no listener (it is still acked and marked done). */
  matched: number;
}

/** Thrown after all listeners ran when one or more of them failed; keeps every cause. */
export class ListenerError extends Error {
  constructor(readonly failures: { name: string; error: unknown }[]) {
    super(failures.map((f) => `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; '));
    this.name = 'ListenerError';
  }
}

/**
 * Routes one event context through middleware to every matching listener.
 * Listeners run in registration order; one failing does not stop the others,
 * and the failure is rethrown afterwards so the worker can retry the event.
 *
 * @example
 * const d = new Dispatcher<{ type: string }>((ctx) => ctx.type);
 * d.on('im.message.receive_v1', async (ctx) => …);
 * await d.dispatch(ctx);
 */
export class Dispatcher<C> {
  private middleware: Middleware<C>[] = [];
  private registrations: Registration<C>[] = [];

  constructor(private readonly typeOf: (ctx: C) => string) {}

  use(mw: Middleware<C>): this {
    this.middleware.push(mw);
    return this;
  }

  on(match: ListenerMatch<C>, listener: Listener<C>, name = typeof match === 'string' ? match : 'listener'): this {
    this.registrations.push({ match, listener, name });
    return this;
  }

  /** Types with at least one exact-type listener (for /help and the console). */
  types(): string[] {
    return [...new Set(this.registrations.map((r) => r.match).filter((m): m is string => typeof m === 'string'))];
  }

  async dispatch(ctx: C): Promise<DispatchResult> {
    const type = this.typeOf(ctx);
    const matching = this.registrations.filter((r) => (typeof r.match === 'string' ? r.match === type : r.match(ctx)));
    const failures: { name: string; error: unknown }[] = [];
    await compose(this.middleware)(ctx, async () => {
      for (const r of matching) {
        try {
          await r.listener(ctx);
        } catch (error) {
          failures.push({ name: r.name, error });
        }
      }
    });
    if (failures.length > 0) throw new ListenerError(failures);
    return { matched: matching.length };
  }
}
