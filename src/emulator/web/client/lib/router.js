/**
 * The client's routes live in the hash, so deep links survive a reload without server routes:
 *
 * - `#/<page>[/<sub>][?<params>]`: a product page (its entry's `path` is `/#/<page>`);
 * - anything else (``, `#chat=oc_…&message=om_…`): the Messenger, as before.
 */

/** The hash prefix a product page answers to: `#/directory` for `path: '/#/directory'`. */
export function routeOf(entry) {
  const i = entry.path.indexOf('#/');
  return i >= 0 ? entry.path.slice(i).replace(/[?/]+$/, '') : `#/${entry.product}`;
}

/** Is this hash a product page's (rather than the Messenger's)? */
export const isPageHash = (hash) => hash.startsWith('#/');

/** The page a hash opens and what follows its prefix: `{entry, sub: '/sre', params}`, or undefined. */
export function matchPage(entries, hash) {
  if (!isPageHash(hash)) return undefined;
  for (const entry of entries) {
    if (!entry.module) continue;
    const base = routeOf(entry);
    if (hash !== base && !hash.startsWith(`${base}/`) && !hash.startsWith(`${base}?`)) continue;
    const rest = hash.slice(base.length);
    const q = rest.indexOf('?');
    const sub = q >= 0 ? rest.slice(0, q) : rest;
    return { entry, sub: sub.replace(/\/+$/, ''), params: new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '') };
  }
  return undefined;
}

/** The hash of a page's sub-route: `pageHash(entry, '/sre', {user: 'bob'})` → `#/directory/sre?user=bob`. */
export function pageHash(entry, sub = '', params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString();
  const path = sub && !sub.startsWith('/') ? `/${sub}` : sub;
  return `${routeOf(entry)}${path}${query ? `?${query}` : ''}`;
}

/** The hash the browser shows now, kept in sync through `hashchange`. */
export const currentHash = () => location.hash;
