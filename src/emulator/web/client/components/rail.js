import { html } from '../lib/html.js';
import { RailIcon } from './icons.js';

/**
 * Feishu's app rail: the Messenger first, then the products' pages in list order, the request
 * log at the bottom. Entries are links (`href="#/directory"`), so they open in a new tab too.
 * items: [{key, title, icon, href, external?}]; active: the key of the page shown.
 */
export function Rail({ items, active, logOpen, onToggleLog }) {
  return html`<nav class="rail" aria-label="Apps">
    <div class="rail-logo" title="feishu-hub emulator">F</div>
    ${items.map(
      (it) => html`<a
        key=${it.key}
        class=${`rail-item ${it.key === active ? 'active' : ''}`}
        href=${it.href}
        title=${it.external ? `${it.title} (opens in a new tab)` : it.title}
        aria-current=${it.key === active ? 'page' : undefined}
        data-testid=${`rail-${it.key}`}
        target=${it.external ? '_blank' : undefined}
        rel=${it.external ? 'noopener' : undefined}
      >
        <span class="rail-icon"><${RailIcon} icon=${it.icon} title=${it.title} /></span>
        <span class="rail-label">${it.title}</span>
      </a>`,
    )}
    <div class="rail-spacer"></div>
    <button class=${`rail-item ${logOpen ? 'active' : ''}`} title="Request log" onClick=${onToggleLog} data-testid="toggle-log">
      <span class="rail-icon"><${RailIcon} icon="log" title="Log" /></span>
      <span class="rail-label">Log</span>
    </button>
  </nav>`;
}

/**
 * The rail's entries from the products' pages: the Messenger (the page at `/`, built into the
 * client) first, then every page with a module (a client route), then plain links.
 */
export function railItems(pages, messengerHref, routeOf) {
  const home = pages.find((p) => p.path === '/' && !p.module);
  const items = [{ key: 'messenger', title: home?.title ?? 'Messenger', icon: home?.icon ?? 'messenger', href: messengerHref }];
  for (const p of pages) if (p.module) items.push({ key: p.product, title: p.title, icon: p.icon, href: routeOf(p) });
  for (const p of pages) if (!p.module && p !== home) items.push({ key: p.product, title: p.title, icon: p.icon, href: p.path, external: true });
  return items;
}
