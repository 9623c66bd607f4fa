/**
 * What a product's page module imports (`import { html, useJson } from '@emulator/page-kit'`,
 * mapped in index.html): the client's own Preact, htm and hooks, so the page shares its renderer,
 * plus a few helpers. A page module's default export is a Preact component, rendered with
 * `{ entry, sub, params, navigate }`:
 *
 * - `entry`: its rail entry (`{product, title, path, icon, module}`);
 * - `sub`, `params`: the route after the page's prefix: `#/directory/sre?user=bob` → `'/sre'`, `{user: 'bob'}`;
 * - `navigate(sub, params?)`: goes to another route of the same page (a history entry, like a link);
 *   `hrefOf(sub, params?)` is that route's href, for `<a>`.
 * - `currentUser`: the open_id of the person the Messenger acts as (who is "signed in" to the client), if any.
 */
import { h, Fragment } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { showToast } from '../components/toast.js';

export { h, Fragment, html, useCallback, useEffect, useMemo, useRef, useState, showToast };

/**
 * GETs JSON and keeps it fresh: `{data, error, reload}`. Polls every `pollMs` (the emulator's
 * state changes under the page: resets, snapshots, apps calling the API); re-renders only on change.
 */
export function useJson(url, { pollMs = 2000 } = {}) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const last = useRef('');
  const load = useCallback(async () => {
    try {
      const res = await fetch(url);
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      if (text !== last.current) {
        last.current = text;
        setState({ data: JSON.parse(text), error: undefined });
      }
    } catch (e) {
      last.current = '';
      setState((s) => ({ data: s.data, error: e instanceof Error ? e.message : String(e) }));
    }
  }, [url]);
  useEffect(() => {
    load();
    if (!pollMs) return undefined;
    const timer = setInterval(load, pollMs);
    return () => clearInterval(timer);
  }, [load, pollMs]);
  return { ...state, reload: load };
}

const sheets = new Map();

/**
 * Adds a stylesheet once; resolves when it has loaded. A page module awaits its own styles at the
 * top (`await loadStylesheet(new URL('./page.css', import.meta.url))`), so it never shows unstyled.
 */
export function loadStylesheet(href) {
  const url = String(href);
  if (!sheets.has(url)) {
    sheets.set(
      url,
      new Promise((resolve) => {
        const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: url });
        link.onload = () => resolve(true);
        link.onerror = () => resolve(false);
        document.head.append(link);
      }),
    );
  }
  return sheets.get(url);
}
