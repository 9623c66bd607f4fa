import { Component } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';

/** Page modules by URL: imported once, then rendered straight away when the page is opened again. */
const loaded = new Map();

/** A page that throws while rendering shows its error in place; the rail and the rest keep working. */
class PageBoundary extends Component {
  state = { error: undefined };
  static getDerivedStateFromError(error) {
    return { error };
  }
  componentDidCatch(error) {
    console.error(error);
  }
  render({ children, title }, { error }) {
    if (!error) return children;
    return html`<div class="page-status page-error" role="alert">
      <div class="page-status-title">The ${title} page failed</div>
      <pre class="page-error-text">${String(error?.stack ?? error)}</pre>
    </div>`;
  }
}

/**
 * A product's page: imports the entry's module (an ES module served by the product, see
 * web/pages.ts) and renders its default export with the route.
 */
export function ProductPage({ entry, sub, params, navigate, hrefOf, currentUser }) {
  const [mod, setMod] = useState(() => loaded.get(entry.module));
  const [error, setError] = useState(undefined);

  useEffect(() => {
    if (loaded.has(entry.module)) {
      setMod(loaded.get(entry.module));
      return undefined;
    }
    let live = true;
    setMod(undefined);
    setError(undefined);
    import(entry.module).then(
      (m) => {
        loaded.set(entry.module, m);
        if (live) setMod(m);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [entry.module]);

  if (error)
    return html`<div class="page-status page-error" role="alert">
      <div class="page-status-title">Could not load the ${entry.title} page</div>
      <div class="page-status-text"><code>${entry.module}</code></div>
      <pre class="page-error-text">${String(error?.message ?? error)}</pre>
    </div>`;
  if (!mod) return html`<div class="page-status"><span class="spinner"></span></div>`;
  const Page = mod.default ?? mod.Page;
  if (typeof Page !== 'function')
    return html`<div class="page-status page-error" role="alert">
      <div class="page-status-title">The ${entry.title} page has no component</div>
      <div class="page-status-text"><code>${entry.module}</code> should <code>export default</code> a Preact component.</div>
    </div>`;
  return html`<${PageBoundary} title=${entry.title}><${Page} entry=${entry} sub=${sub} params=${params} navigate=${navigate} hrefOf=${hrefOf} currentUser=${currentUser} /><//>`;
}
