import { createHash } from 'node:crypto';
import type { Platform } from '../platform/index.js';

/** Per platform, the tail of each base's write queue: one write at a time per app_token. */
const baseQueues = new WeakMap<Platform, Map<string, Promise<unknown>>>();

/** Runs `fn` after every write to the base queued before it (for this platform), even failed ones. */
export function queueWrite<T>(platform: Platform, appToken: string, fn: () => Promise<T>): Promise<T> {
  let queues = baseQueues.get(platform);
  if (!queues) baseQueues.set(platform, (queues = new Map()));
  const tail = queues.get(appToken) ?? Promise.resolve();
  const run = tail.then(fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(appToken, settled);
  void settled.then(() => {
    if (queues.get(appToken) === settled) queues.delete(appToken);
  });
  return run;
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1 (got ${size})`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A uuid (v4 layout) derived from a key and a part number: the same inputs always give the same
 * client_token, so repeating a batch repeats each chunk's key.
 */
export function derivedClientToken(key: string, part: number): string {
  const h = createHash('sha256').update(`${key}\u0000${part}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The client_token of part `part` of `parts` for a caller's key: the key itself when it is a uuid and there is one part. */
export function tokenFor(key: string, part: number, parts: number): string {
  return parts === 1 && UUID.test(key) ? key : derivedClientToken(key, part);
}

