import { ApiError } from './errors.js';
import { tiers, type Limit } from './ratelimit.js';

/**
 * What the platform's gateway shares with every product: API tiers and the 429 answer.
 * Products import this, never server.ts.
 */

const routeTiers = new Map<string, Limit>();

/** Declares a route's API tier (per app, per API); tier 4 (1000/min & 50/s) unless declared. */
export function setRouteTier(method: string, route: string, limit: Limit): void {
  routeTiers.set(`${method} ${route}`, limit);
}

export function routeTier(method: string, route: string): Limit {
  return routeTiers.get(`${method} ${route}`) ?? tiers[4];
}

/** HTTP 429 + 99991400 with the x-ogw headers the SDKs read. */
export function rateLimited(limit: number, resetSec: number): ApiError {
  return new ApiError(429, 99991400, 'request trigger frequency limit', {
    headers: { 'x-ogw-ratelimit-limit': String(limit), 'x-ogw-ratelimit-reset': String(resetSec) },
  });
}

/** Paths that are the platform's APIs (logged, faulted, rate limited), as opposed to the control API or web client. */
export const isPlatformPath = (path: string) => path.startsWith('/open-apis/') || path.startsWith('/callback/');
