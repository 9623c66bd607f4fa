import { defineCapability } from '../capability/index.js';
import { BitableClient } from './client.js';
import { registerBitableCommands } from './cli.js';
import { bitableScopes } from './scopes.js';

declare module '../capability/index.js' {
  interface HubExtensions {
    /**
     * The Bitable client (apps, tables, fields, records; batches chunked and serialised per base).
     *
     * @example
     * await hub.bitable.batchCreate(appToken, tableId, [{ Name: 'a' }, { Name: 'b' }]);
     */
    bitable: BitableClient;
  }
}

/** Bitable: `hub.bitable` over the hub's platform client, and `feishu-hub bitable …` commands. */
export const bitableCapability = defineCapability({
  name: 'bitable',
  scopes: bitableScopes,
  after: ['platform'],
  setup({ decorate, platform }) {
    decorate({ bitable: new BitableClient(platform) });
  },
  cli: ({ program }) => registerBitableCommands(program),
});
