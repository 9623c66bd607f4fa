import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { setRouteTier } from '../platform-http.js';
import { defineProduct } from '../product.js';
import { tiers } from '../ratelimit.js';
import { registerBitableControlRoutes } from './control.js';
import { RECORD_TIERS, registerRecordRoutes } from './records.js';
import { bitableScopeNames, bitableScopes } from './scopes.js';
import { BitableState } from './state.js';
import { registerTableRoutes, TABLE_TIERS } from './tables.js';
import { registerViewRoutes, VIEW_TIERS } from './views.js';

export { BitableState } from './state.js';
export { LIMITS as BITABLE_LIMITS } from './records.js';
export type { BitableApp, BitableField, BitableRecord, BitableSnapshot, BitableTable } from './types.js';

/**
 * Bitable v1: bases, tables, fields, views (their filters apply to searches), records (search, batch reads and writes, the value formats of
 * each field type), one write per base at a time (1254291), and the record-changed events to apps
 * that subscribed a base through drive v1.
 */
export const bitable = defineProduct({
  name: 'bitable',
  state: BitableState,
  page: { title: 'Base', path: '/#/base', icon: 'base', module: new URL('./web/base.js', import.meta.url).href },
  scopes: bitableScopes,
  scopeNames: bitableScopeNames,
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    for (const { method, route, tier } of [...TABLE_TIERS, ...VIEW_TIERS, ...RECORD_TIERS]) setRouteTier(method, route, tiers[tier]);
    registerTableRoutes(app, ctx);
    registerViewRoutes(app, ctx);
    registerRecordRoutes(app, ctx);
    registerBitableControlRoutes(app, ctx);
  },
});
