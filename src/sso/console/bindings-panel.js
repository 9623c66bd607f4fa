// The sso capability's console page (read-only): Feishu people bound to system users.
import { html, time, Tag, Empty } from '@console/kit';

const SOURCE = { login: 'blue', config: 'grey', email: 'green', self: 'orange', cli: 'grey' };

export default function BindingsPanel({ data }) {
  if (!data) return null;
  return html`<div data-testid="bindings-panel">
    ${data.bindings.length === 0
      ? html`<div class="card"><${Empty} title="No bindings">A Feishu person is bound to a system user when they sign in through an OIDC client, by their email (bind_by_email), in sso.bindings, or with feishu-hub accounts bind.<//></div>`
      : html`<table class="table" data-testid="bindings-table"><thead><tr><th>Feishu person</th><th>System user</th><th>How</th><th>When</th></tr></thead>
      <tbody>${data.bindings.map((b) => html`<tr key=${b.feishu} data-testid="binding-row"><td>${b.name ?? html`<span class="muted">—</span>`}<div class="mono muted" style="font-size:12px">${b.feishu}${b.email && !b.feishu.includes(b.email) ? ` · ${b.email}` : ''}</div></td><td class="mono">${b.system}</td><td><${Tag} color=${SOURCE[b.source] ?? 'grey'}>${b.source}<//></td><td class="nowrap">${time(b.at)}</td></tr>`)}</tbody></table>`}
  </div>`;
}
