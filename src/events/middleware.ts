/** Koa/Bolt-style middleware: each runs around the rest of the chain by awaiting `next()`. */
export type Middleware<C> = (ctx: C, next: () => Promise<void>) => unknown | Promise<unknown>;

/**
 * Composes middleware into one function that ends by calling `last`.
 *
 * @example
 * await compose([logTiming, requireAdmin])(ctx, () => runListeners(ctx));
 */
export function compose<C>(middleware: readonly Middleware<C>[]): (ctx: C, last: () => Promise<void>) => Promise<void> {
  return (ctx, last) => {
    let index = -1;
    const run = async (i: number): Promise<void> => {
      if (i <= index) throw new Error('next() called more than once in one middleware');
      index = i;
      if (i === middleware.length) return last();
      await middleware[i](ctx, () => run(i + 1));
    };
    return run(0);
  };
}
