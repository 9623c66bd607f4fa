import type { ConsoleContribution } from '../capability/index.js';
import type { AccountsApi } from './types.js';

/**
 * The sso capability's console panel (read-only): `hub.accounts`' bindings of Feishu people to
 * system users, how each was made, with the person's directory name when the directory is synced.
 */
export const ssoConsole: ConsoleContribution = {
  panels: [
    {
      id: 'bindings',
      title: 'Bindings',
      icon: 'M10 14a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1M14 10a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1',
      order: 55,
      module: new URL('./console/bindings-panel.js', import.meta.url),
      async data({ hub }) {
        const accounts = (hub as { accounts?: AccountsApi }).accounts;
        const directory = (hub as { directory?: { enabled: boolean; user(id: string): Promise<{ name: string } | undefined> } }).directory;
        const list = accounts ? await accounts.list() : [];
        const named = await Promise.all(
          list.map(async (b) => ({ ...b, name: b.open_id && directory?.enabled ? ((await directory.user(b.open_id).catch(() => undefined))?.name ?? null) : null })),
        );
        return { bindings: named.sort((a, b) => b.at - a.at) };
      },
    },
  ],
};
