import type { RuntimeContext } from './define.js';

/**
 * Who is using the console: a Feishu person signed in to the hub and listed as an admin, or, in the
 * sandbox, the demo admin signed in automatically (`sandbox: true`).
 */
export interface ConsoleUser {
  /** The hub user id (sso_users.id), or the demo admin's email in the sandbox. */
  id: string;
  name: string;
  open_id?: string;
  email?: string;
  /** Signed in automatically because the hub runs in the sandbox. */
  sandbox?: boolean;
}

/** What a panel's `data` and `actions` get: the owning capability's runtime context, the user, the page's query. */
export interface ConsoleCall<C = unknown> extends RuntimeContext<C> {
  user: ConsoleUser;
  /** The page's query (`/console#/events?view=dead` → `{ view: 'dead' }`), as strings. */
  query: Record<string, string>;
}

/**
 * An operation a panel offers (replay, retry, resolve…): POSTed by the page with the session's CSRF
 * token, written to the console's audit log (who, when, panel, action, input summary, result).
 * Throw an error with `statusCode` 4xx (e.g. `Object.assign(new Error('…'), { statusCode: 400 })`)
 * to refuse bad input; the message is shown to the operator and recorded.
 */
export type ConsoleAction<C = unknown> = (ctx: ConsoleCall<C>, body: unknown, who: ConsoleUser) => Promise<unknown> | unknown;

/**
 * One page of the admin console (`/console`). The console lists every registered capability's
 * panels in the nav (by `order`, then title) and serves each panel's page module as a static file.
 *
 * The page is an ES module (Preact + htm, no build step) whose default export is a component; it
 * may import `preact`, `preact/hooks`, `htm` and `@console/kit` (the console's helpers). It gets
 * `{ data, query, setQuery, reload, act, user, panel }`: `data` is what `data()` returned for the
 * current `query`; `act(name, body)` runs an action and reloads.
 *
 * @example
 * console: { panels: [{
 *   id: 'notes', title: 'Notes', order: 50,
 *   module: new URL('./console/notes-panel.js', import.meta.url),
 *   data: async ({ store }) => ({ notes: await store.db.selectFrom('notes').selectAll().execute() }),
 *   actions: { clear: async ({ store }) => store.db.deleteFrom('notes').execute().then(() => ({ cleared: true })) },
 * }] }
 */
export interface ConsolePanel<C = unknown> {
  /** URL-safe and unique across the hub: the nav entry `#/<id>` and `/console/api/panels/<id>`. */
  id: string;
  /** The nav label and page title. */
  title: string;
  /** A 24×24 stroked SVG path (`d`), or one or two characters; default the title's first letter. */
  icon?: string;
  /** Position in the nav, lowest first (default 100). */
  order?: number;
  /** The page module's file (a `file:` URL or an absolute path), served as is. */
  module: URL | string;
  /** The page's data for a query: JSON. Secrets must not be in it. */
  data(ctx: ConsoleCall<C>): Promise<unknown> | unknown;
  actions?: Record<string, ConsoleAction<C>>;
}

/** A capability's console contribution. */
export interface ConsoleContribution<C = unknown> {
  panels: ConsolePanel<C>[];
}
