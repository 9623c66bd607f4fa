/**
 * The approval centre (Feishu's 审批中心) in the web client: tabs Pending / Done / Initiated / CC
 * for the person picked in "Viewing as", a list of requests, and the request opened on the right
 * (detail.js) where that person approves, rejects, transfers, comments or withdraws.
 * Routes: `#/approval/<tab>?as=<open_id>&instance=<code>`. Data: `GET /__emulator/approval?user=`
 * (approval/page-view.ts), polled; actions post to the `/__emulator/approval/…` control routes.
 */
import { html, loadStylesheet, useEffect, useJson } from '@emulator/page-kit';
import { Detail, StatusTag, when } from './detail.js';

await loadStylesheet(new URL('./approval.css', import.meta.url));

const TABS = [
  { id: 'pending', title: 'Pending', empty: 'Nothing is waiting for your approval' },
  { id: 'done', title: 'Done', empty: 'You have not handled any request yet' },
  { id: 'initiated', title: 'Initiated', empty: 'You have not submitted any request' },
  { id: 'cc', title: 'CC', empty: 'Nobody copied you on a request' },
];
const STORE = 'emu.approval.as';

const tabIcon = {
  pending: html`<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" aria-hidden="true"><circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/></svg>`,
  done: html`<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="12" cy="12" r="8.5"/><path d="M8 12.3l2.7 2.7L16 9.7"/></svg>`,
  initiated: html`<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M4 20l16-8L4 4l2.5 8z"/><path d="M6.5 12H12"/></svg>`,
  cc: html`<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="3.5" y="5.5" width="17" height="13" rx="2"/><path d="M4 7l8 6 8-6"/></svg>`,
};

function Row({ item, tab, selected, href }) {
  const badge = tab === 'cc' && !item.cc?.read ? html`<span class="apv-dot" title="Unread"></span>` : null;
  return html`<li key=${item.instance_code}>
    <a class=${`apv-row ${selected ? 'selected' : ''}`} href=${href} data-testid="approval-row" data-instance=${item.instance_code}>
      <div class="apv-row-top">
        ${badge}
        <span class="apv-row-title">${item.approval_name}${item.title ? html`<span class="apv-row-sub"> · ${item.title}</span>` : ''}</span>
        <${StatusTag} status=${item.status} reverted=${item.reverted} task=${tab === 'done' ? item.task : undefined} />
      </div>
      <dl class="apv-row-fields">
        ${item.summary.map((f) => html`<div key=${f.id}><dt>${f.name}</dt><dd>${f.display}</dd></div>`)}
      </dl>
      <div class="apv-row-foot">
        <img class="avatar avatar-20" src=${item.applicant.avatar} alt="" />
        <span>${item.applicant.name}</span>
        <span class="apv-row-time">${tab === 'pending' && item.task ? `Node: ${item.task.node_name} · ` : ''}${when(item.start_time)}</span>
      </div>
    </a>
  </li>`;
}

export default function ApprovalPage({ entry, sub, params, navigate, hrefOf }) {
  const tab = TABS.find((t) => `/${t.id}` === sub) ?? TABS[0];
  const as = params.get('as') || localStorage.getItem(STORE) || '';
  const { data, error, reload } = useJson(`/__emulator/approval${as ? `?user=${encodeURIComponent(as)}` : ''}`);
  const instance = params.get('instance') ?? undefined;
  const viewer = data?.user;
  useEffect(() => {
    if (viewer) localStorage.setItem(STORE, viewer.open_id);
  }, [viewer?.open_id]);

  if (!data)
    return html`<div class="page-status">${error ? html`<div class="page-status-title">The approval centre is not answering</div><div>${error}</div>` : html`<span class="spinner"></span>`}</div>`;

  const link = (tabId, extra = {}) => hrefOf(`/${tabId}`, { as: viewer.open_id, ...extra });
  const items = data[tab.id] ?? [];
  const unreadCc = data.cc.filter((i) => !i.cc?.read).length;
  const count = { pending: data.pending.length, done: 0, initiated: 0, cc: unreadCc };

  return html`<div class="apv" data-testid="approval-page">
    <aside class="sidebar apv-side">
      <div class="sidebar-head">
        <div class="sidebar-title">${entry.title}</div>
        <label class="apv-as">
          <span class="apv-as-label">Viewing as</span>
          <img class="avatar avatar-20" src=${viewer.avatar} alt="" />
          <select class="user-picker" value=${viewer.open_id} onChange=${(e) => navigate(sub || '/pending', { as: e.currentTarget.value })} data-testid="approval-viewer" aria-label="Viewing as">
            ${data.users.map((u) => html`<option key=${u.open_id} value=${u.open_id}>${u.name}</option>`)}
          </select>
        </label>
      </div>
      <nav class="apv-tabs" aria-label="Approval centre">
        ${TABS.map(
          (t) => html`<a key=${t.id} class=${`apv-tab ${t.id === tab.id ? 'selected' : ''}`} href=${link(t.id)} data-testid=${`approval-tab-${t.id}`}>
            <span class="apv-tab-icon">${tabIcon[t.id]}</span>
            <span class="apv-tab-name">${t.title}</span>
            ${count[t.id] > 0 && html`<span class="apv-tab-count">${count[t.id]}</span>`}
          </a>`,
        )}
      </nav>
      <div class="apv-side-foot">
        ${data.definitions.filter((d) => d.status === 'ACTIVE').length} active definitions${' · '}<a class="md-link" href="/__emulator/state" target="_blank" rel="noopener">state</a>
      </div>
    </aside>
    <section class="apv-list">
      <header class="apv-list-head">
        <span class="apv-list-title">${tab.title}</span>
        <span class="apv-list-count">${items.length}</span>
      </header>
      ${items.length === 0
        ? html`<div class="apv-empty">${tab.empty}</div>`
        : html`<ul class="apv-rows" aria-label=${tab.title}>
            ${items.map((item) => html`<${Row} item=${item} tab=${tab.id} selected=${item.instance_code === instance} href=${link(tab.id, { instance: item.instance_code })} />`)}
          </ul>`}
    </section>
    ${instance
      ? html`<${Detail} key=${`${instance}:${viewer.open_id}`} code=${instance} viewer=${viewer} users=${data.users} tab=${tab.id} onChanged=${reload} close=${link(tab.id)} />`
      : html`<section class="apv-detail apv-detail-empty"><div class="apv-empty">Pick a request to see it here</div></section>`}
  </div>`;
}
