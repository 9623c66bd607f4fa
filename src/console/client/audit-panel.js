// The console's own panel: every action done through the console, newest first.
import { html, time, Tag, Empty } from '@console/kit';

export default function AuditPanel({ data }) {
  const entries = data?.entries ?? [];
  if (entries.length === 0) return html`<${Empty} title="No actions yet">Replays, discards and other console actions are recorded here.<//>`;
  return html`<table class="table" data-testid="audit-table">
    <thead><tr><th>When</th><th>Who</th><th>Panel</th><th>Action</th><th>Input</th><th>Result</th></tr></thead>
    <tbody>
      ${entries.map((e) => html`<tr key=${e.id} data-testid="audit-row">
        <td class="nowrap">${time(e.at)}</td>
        <td>${e.whoName}<div class="muted">${e.who}</div></td>
        <td>${e.panel}</td>
        <td><${Tag} color=${e.ok ? 'green' : 'red'}>${e.action}<//></td>
        <td class="mono" style="font-size:12px;word-break:break-all">${e.input}</td>
        <td class="mono" style="font-size:12px;word-break:break-all">${e.result}</td>
      </tr>`)}
    </tbody>
  </table>`;
}
