/**
 * The Base page (Feishu's 多维表格) in the web client: the bases of the tenant and their tables on
 * the left; on the right the open table's views as tabs (grid views open, the other types are
 * listed), its record count, "Editing as" (a person of the directory, remembered in localStorage)
 * and the editable grid (grid.js). Routes: `#/base?app=<app_token>&table=<table_id>&view=<view_id>`.
 * Data (bitable/control.ts): `GET /__emulator/bitable/apps` (the list), `GET …/apps/:app/tables/:table?view_id=`
 * (the table as the view shows it, polled every second), `GET /__emulator/bitable/people`; edits go
 * through `POST/PATCH/DELETE …/records[/:record_id] {fields, as}`, the API's write path.
 */
import { html, loadStylesheet, useEffect, useJson, useState } from '@emulator/page-kit';
import { Icon } from './cells.js';
import { Grid } from './grid.js';

await loadStylesheet(new URL('./base.css', import.meta.url));

const AS_KEY = 'emulator.base.editingAs';
const VIEW_ICONS = { grid: 'grid', kanban: 'kanban', gallery: 'gallery', gantt: 'gantt', form: 'form' };
const VIEW_NAMES = { grid: 'Grid', kanban: 'Kanban', gallery: 'Gallery', gantt: 'Gantt', form: 'Form' };

/** The person edits are made as: the one remembered if still in the directory, else the first. */
function useEditingAs(people) {
  const [as, setAs] = useState(() => localStorage.getItem(AS_KEY) ?? '');
  const valid = people?.some((p) => p.open_id === as);
  const current = valid ? as : (people?.[0]?.open_id ?? '');
  const choose = (id) => {
    localStorage.setItem(AS_KEY, id);
    setAs(id);
  };
  return [current, choose];
}

function EditingAs({ people, as, onChange }) {
  const me = people.find((p) => p.open_id === as);
  return html`<label class="bt-as" title="Edits are written as this person: created_by / last_modified_by and the event's operator_id">
    <span class="bt-as-label">Editing as</span>
    ${me ? html`<img class="avatar avatar-24" src=${me.avatar} alt="" />` : ''}
    <select class="bt-as-select" data-testid="base-editing-as" value=${as} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${people.map((p) => html`<option key=${p.open_id} value=${p.open_id}>${p.name}${p.en_name && p.en_name !== p.name ? ` (${p.en_name})` : ''}</option>`)}
    </select>
  </label>`;
}

function ViewTabs({ table, hrefOf, appToken }) {
  return html`<div class="bt-views" role="tablist">
    ${table.views.map((v) => {
      const isGrid = v.view_type === 'grid';
      const active = v.view_id === table.view_id;
      const icon = html`<${Icon} name=${VIEW_ICONS[v.view_type] ?? 'grid'} size=${14} />`;
      return isGrid
        ? html`<a key=${v.view_id} role="tab" aria-selected=${active} class=${`bt-view ${active ? 'active' : ''}`} href=${hrefOf('', { app: appToken, table: table.table_id, view: v.view_id })} data-testid="base-view-tab" data-view-id=${v.view_id}>${icon}<span>${v.view_name}</span></a>`
        : html`<span key=${v.view_id} class="bt-view other" title=${`${VIEW_NAMES[v.view_type] ?? v.view_type} view: only grid views open in this page`} data-testid="base-view-other" data-view-id=${v.view_id}>${icon}<span>${v.view_name}</span><span class="bt-view-type">${VIEW_NAMES[v.view_type] ?? v.view_type}</span></span>`;
    })}
  </div>`;
}

function TablePane({ token, tableId, viewId, hrefOf, people, as, setAs }) {
  const q = viewId ? `?view_id=${encodeURIComponent(viewId)}` : '';
  const { data, error, reload } = useJson(`/__emulator/bitable/apps/${encodeURIComponent(token)}/tables/${encodeURIComponent(tableId)}${q}`, { pollMs: 1000 });
  if (!data) return html`<div class="bt-main"><div class="page-status">${error ? html`<div>${error}</div>` : html`<span class="spinner"></span>`}</div></div>`;
  const t = data.table;
  const view = t.views.find((v) => v.view_id === t.view_id);
  const filters = view?.property?.filter_info?.conditions?.length ?? 0;
  const hidden = t.fields.filter((f) => f.is_hidden).length;
  return html`<div class="bt-main">
    <div class="bt-head">
      <span class="bt-head-icon"><${Icon} name="table" size=${18} /></span>
      <span class="bt-head-title" data-testid="base-table-name">${t.name}</span>
      <span class="bt-head-sub">${data.name || data.app_token}</span>
      <span class="bt-spacer"></span>
      ${people ? html`<${EditingAs} people=${people} as=${as} onChange=${setAs} />` : ''}
    </div>
    <div class="bt-bar">
      <${ViewTabs} table=${t} hrefOf=${hrefOf} appToken=${data.app_token} />
      <span class="bt-spacer"></span>
      ${filters ? html`<span class="bt-chip bt-chip-blue" data-testid="base-view-filter" title="This view's filter (PATCH …/views/:view_id property.filter_info)">Filtered · ${filters} condition${filters > 1 ? 's' : ''}</span>` : ''}
      ${hidden ? html`<span class="bt-chip" data-testid="base-view-hidden">${hidden} field${hidden > 1 ? 's' : ''} hidden</span>` : ''}
      <span class="bt-count" data-testid="base-record-count">${t.records.length === t.total ? `${t.total} record${t.total === 1 ? '' : 's'}` : `${t.records.length} of ${t.total} records`}</span>
    </div>
    <${Grid} data=${data} reload=${reload} as=${as} people=${people ?? []} />
  </div>`;
}

export default function BasePage({ params, hrefOf }) {
  const { data, error } = useJson('/__emulator/bitable/apps', { pollMs: 1000 });
  const { data: dir } = useJson('/__emulator/bitable/people', { pollMs: 5000 });
  const people = dir?.people;
  const [as, setAs] = useEditingAs(people);
  useEffect(() => {
    document.title = 'Base · feishu-hub emulator';
  }, []);
  if (!data) return html`<div class="page-status">${error ? html`<div class="page-status-title">Base is not answering</div><div>${error}</div>` : html`<span class="spinner"></span>`}</div>`;
  const app = data.apps.find((a) => a.app_token === params.get('app')) ?? data.apps[0];
  const table = app?.tables.find((t) => t.table_id === params.get('table')) ?? app?.tables[0];
  const viewId = table && params.get('table') === table.table_id ? params.get('view') : null;
  return html`<div class="bt" data-testid="base-page">
    <nav class="bt-side">
      <div class="bt-side-title">Bases</div>
      ${data.apps.length === 0 ? html`<div class="bt-empty">No bases yet: create one with the API or POST /__emulator/bitable/apps</div>` : ''}
      ${data.apps.map(
        (a) => html`<div key=${a.app_token} class="bt-side-base">
          <div class="bt-base" title=${a.app_token}><span class="bt-base-icon"><${Icon} name="grid" size=${12} /></span><span class="bt-base-name">${a.name || a.app_token}</span></div>
          ${a.tables.map(
            (t) => html`<a key=${t.table_id} class=${`bt-table ${a === app && t === table ? 'selected' : ''}`} href=${hrefOf('', { app: a.app_token, table: t.table_id })} data-testid="base-table">
              <${Icon} name="table" size=${14} /><span class="bt-table-name">${t.name}</span><span class="bt-table-count">${t.records}</span>
            </a>`,
          )}
        </div>`,
      )}
    </nav>
    ${app && table
      ? html`<${TablePane} key=${`${app.app_token}/${table.table_id}/${viewId ?? ''}`} token=${app.app_token} tableId=${table.table_id} viewId=${viewId} hrefOf=${hrefOf} people=${people} as=${as} setAs=${setAs} />`
      : app
        ? html`<div class="bt-empty">This base has no tables</div>`
        : ''}
  </div>`;
}
