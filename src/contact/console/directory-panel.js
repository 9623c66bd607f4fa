// The directory capability's console page (read-only): the mirror's status and its people.
import { useState } from 'preact/hooks';
import { html, time, ago, Tag, Stat, Empty } from '@console/kit';

export default function DirectoryPanel({ data, query, setQuery }) {
  const [q, setQ] = useState(query.q ?? '');
  if (!data) return null;
  const s = data.status;
  if (!s.enabled) return html`<div class="card" data-testid="directory-panel"><${Empty} title="The directory is not synced">Set <span class="mono">directory.enabled: true</span> in feishu-hub.yaml to keep the org chart in the hub's database.<//></div>`;
  return html`<div data-testid="directory-panel">
    <div class="stats">
      <${Stat} label="People" value=${s.users} testid="stat-users" />
      <${Stat} label="Departments" value=${s.departments} />
      <${Stat} label="Deleted (kept)" value=${`${s.deletedUsers} / ${s.deletedDepartments}`} />
      <${Stat} label="Last full sync" value=${s.lastFullSyncAt ? ago(s.lastFullSyncAt) : 'never'} testid="stat-last-sync" />
    </div>
    ${s.running ? html`<div class="card detail">A full sync is under way: ${s.running.phase} since ${time(s.running.startedAt)}.</div>` : null}
    ${s.lastError ? html`<div class="card detail err" data-testid="directory-error">Last sync failed: ${s.lastError}</div>` : null}
    <form class="toolbar" onSubmit=${(e) => { e.preventDefault(); setQuery({ ...query, q: q || undefined }); }}>
      <input class="input grow" placeholder="Find by email or name" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} data-testid="directory-search" />
      <button class="btn btn-small" type="submit">Find</button>
      <span class="muted">${data.q ? `${data.total} found` : `${data.total} people`}${data.total > data.people.length ? `, first ${data.people.length} shown` : ''}</span>
    </form>
    ${data.people.length === 0
      ? html`<div class="card"><${Empty} title="Nobody found">Search by the exact email, or part of a name.<//></div>`
      : html`<table class="table" data-testid="directory-people"><thead><tr><th>Name</th><th>Email</th><th>Departments</th><th>Title</th><th>Status</th><th>open_id</th></tr></thead>
      <tbody>${data.people.map((p) => html`<tr key=${p.open_id} data-testid="directory-person"><td>${p.name}${p.en_name ? html`<div class="muted">${p.en_name}</div>` : null}</td><td>${p.email ?? '—'}</td><td>${p.departments.join(', ')}</td><td>${p.job_title ?? '—'}</td><td><${Tag} color=${p.status === 'active' ? 'green' : 'grey'}>${p.status}<//></td><td class="mono" style="font-size:12px">${p.open_id}</td></tr>`)}</tbody></table>`}
  </div>`;
}
