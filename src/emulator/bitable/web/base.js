/**
 * The Base page (Feishu's 多维表格) in the web client, read-only: the bases of the tenant and their
 * tables on the left, the open table's records as a grid. Routes: `#/base?app=<app_token>&table=<table_id>`.
 * Data: `GET /__emulator/bitable/apps` and `GET /__emulator/bitable/apps/:app_token` (bitable/control.ts), polled.
 */
import { html, loadStylesheet, useJson } from '@emulator/page-kit';

await loadStylesheet(new URL('./base.css', import.meta.url));

const date = (ms) => new Date(ms).toLocaleString();

/** A cell in the read format of the API (reference §5.3) as text or tags. */
function Cell({ field, value }) {
  if (value === undefined || value === null) return '';
  switch (field.type) {
    case 1:
      return Array.isArray(value) ? value.map((s) => s.text).join('') : String(value);
    case 3:
      return html`<span class="bt-tag">${value}</span>`;
    case 4:
      return value.map((v) => html`<span class="bt-tag" key=${v}>${v}</span>`);
    case 5:
    case 1001:
    case 1002:
      return date(value);
    case 7:
      return value ? '✓' : '';
    case 11:
    case 23:
    case 1003:
    case 1004:
      return value.map((u) => u.name || u.id).join(', ');
    case 15:
      return html`<a href=${value.link} target="_blank" rel="noreferrer">${value.text}</a>`;
    case 17:
      return value.map((a) => a.name).join(', ');
    case 18:
    case 21:
      return value.link_record_ids.join(', ');
    case 22:
      return value.full_address || value.location;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function Grid({ token, tableId }) {
  const { data, error } = useJson(`/__emulator/bitable/apps/${encodeURIComponent(token)}`);
  if (!data) return html`<div class="page-status">${error ? html`<div>${error}</div>` : html`<span class="spinner"></span>`}</div>`;
  const table = data.tables.find((t) => t.table_id === tableId) ?? data.tables[0];
  if (!table) return html`<div class="bt-empty">This base has no tables</div>`;
  return html`<div class="bt-main">
    <div class="bt-head"><span data-testid="base-table-name">${table.name}</span><span class="bt-head-sub">${data.name} · ${table.records.length} records</span></div>
    <div class="bt-grid-wrap">
      <table class="bt-grid" data-testid="base-grid">
        <thead><tr><th class="bt-num"></th>${table.fields.map((f) => html`<th key=${f.field_id} title=${`${f.ui_type} · ${f.field_id}`}>${f.field_name}</th>`)}</tr></thead>
        <tbody>
          ${table.records.map(
            (r, i) => html`<tr key=${r.record_id} data-testid="base-row" data-record=${r.record_id}>
              <td class="bt-num">${i + 1}</td>
              ${table.fields.map((f) => html`<td key=${f.field_id}><${Cell} field=${f} value=${r.fields[f.field_name]} /></td>`)}
            </tr>`,
          )}
        </tbody>
      </table>
      ${table.records.length === 0 ? html`<div class="bt-empty">No records yet</div>` : ''}
    </div>
  </div>`;
}

export default function BasePage({ params, hrefOf }) {
  const { data, error } = useJson('/__emulator/bitable/apps');
  if (!data) return html`<div class="page-status">${error ? html`<div class="page-status-title">Base is not answering</div><div>${error}</div>` : html`<span class="spinner"></span>`}</div>`;
  const app = data.apps.find((a) => a.app_token === params.get('app')) ?? data.apps[0];
  const tableId = params.get('table') ?? app?.tables[0]?.table_id;
  return html`<div class="bt" data-testid="base-page">
    <nav class="bt-side">
      ${data.apps.length === 0 ? html`<div class="bt-empty">No bases yet: create one with the API or POST /__emulator/bitable/apps</div>` : ''}
      ${data.apps.map(
        (a) => html`<div key=${a.app_token}>
          <div class="bt-base" title=${a.app_token}>${a.name || a.app_token}</div>
          ${a.tables.map(
            (t) => html`<a key=${t.table_id} class=${`bt-table ${a === app && t.table_id === tableId ? 'selected' : ''}`} href=${hrefOf('', { app: a.app_token, table: t.table_id })} data-testid="base-table">
              <span class="bt-table-name">${t.name}</span><span class="bt-table-count">${t.records}</span>
            </a>`,
          )}
        </div>`,
      )}
    </nav>
    ${app ? html`<${Grid} token=${app.app_token} tableId=${tableId} />` : ''}
  </div>`;
}
