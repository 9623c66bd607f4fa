/**
 * The directory's page in the web client: the tenant's organisation like Feishu's contacts view
 * (departments on the left, a department's sub-departments and members on the right, a profile
 * card for the person picked). Routes: `#/directory` (the whole organisation),
 * `#/directory/<department_id>`, and `?user=<user_id>` for the profile card.
 * Data: `GET /__emulator/directory` (directory/page.ts), polled. Changes (add, edit, move, remove a
 * person; add, rename, move, delete a department) go through the directory's control routes
 * (`/__emulator/directory/users`, `/__emulator/directory/departments`), which push the contact
 * events to the apps, as the admin console's changes do.
 */
import { html, loadStylesheet, useJson, useMemo, useState } from '@emulator/page-kit';
import { DepartmentDialog, displayName, PersonDialog, RemoveDialog, ROOT } from './dialogs.js';

await loadStylesheet(new URL('./directory.css', import.meta.url));


const chevron = html`<svg class="dir-chevron" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M6 3.5l4.5 4.5L6 12.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
const orgIcon = html`<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="9" y="3.5" width="6" height="5" rx="1.2"/><rect x="3.5" y="15.5" width="6" height="5" rx="1.2"/><rect x="14.5" y="15.5" width="6" height="5" rx="1.2"/><path d="M12 8.5v3.5M6.5 15.5V12h11v3.5"/></svg>`;
const deptIcon = html`<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="9" cy="9" r="3"/><path d="M3.5 19c.7-2.9 2.9-4.5 5.5-4.5s4.8 1.6 5.5 4.5"/><path d="M15.5 6.2a3 3 0 0 1 0 5.6M17.5 14.8c1.5.6 2.6 2 3 4.2"/></svg>`;

function StatusTag({ status }) {
  return status === 'resigned'
    ? html`<span class="text-tag dir-status dir-status-resigned">Resigned</span>`
    : html`<span class="text-tag tag-green dir-status">Active</span>`;
}

/** People are shown by their English name, as the Messenger does (an en_us client); `name` is on the profile card. */

/** Departments as a tree: children by parent, and each department's path from the root. */
function useOrg(data) {
  return useMemo(() => {
    if (!data) return undefined;
    const byId = new Map(data.departments.map((d) => [d.department_id, d]));
    const children = new Map();
    for (const d of data.departments) {
      const key = byId.has(d.parent_department_id) ? d.parent_department_id : ROOT;
      children.set(key, [...(children.get(key) ?? []), d]);
    }
    const pathOf = (id) => {
      const out = [];
      for (let d = byId.get(id); d && out.length < 20; d = byId.get(d.parent_department_id)) out.unshift(d);
      return out;
    };
    const usersById = new Map(data.users.map((u) => [u.user_id, u]));
    const subtree = (id) => (children.get(id) ?? []).flatMap((c) => [c.department_id, ...subtree(c.department_id)]);
    // Pickers list departments as the tree shows them.
    const all = subtree(ROOT).map((id) => byId.get(id));
    return { byId, children: (id) => children.get(id) ?? [], pathOf, usersById, subtree, all };
  }, [data]);
}

function DeptTree({ org, id, selected, hrefOf, depth }) {
  return org.children(id).map(
    (d) => html`<li key=${d.department_id}>
        <a
          class=${`dir-nav-item ${selected === d.department_id ? 'selected' : ''}`}
          style=${{ paddingLeft: `${12 + depth * 18}px` }}
          href=${hrefOf(`/${d.department_id}`)}
          data-department-id=${d.department_id}
        >
          <span class="dir-nav-icon">${deptIcon}</span>
          <span class="dir-nav-name">${d.name}</span>
          <span class="dir-nav-count">${d.member_count}</span>
        </a>
      </li>
      <${DeptTree} org=${org} id=${d.department_id} selected=${selected} hrefOf=${hrefOf} depth=${depth + 1} />`,
  );
}

function DepartmentRows({ departments, hrefOf }) {
  if (departments.length === 0) return null;
  return html`<section class="dir-section">
    <h3 class="dir-section-title">Departments <span class="dir-count">${departments.length}</span></h3>
    <ul class="dir-rows" aria-label="Departments">
      ${departments.map(
        (d) => html`<li key=${d.department_id}>
          <a class="dir-dept-row" href=${hrefOf(`/${d.department_id}`)} data-testid="directory-department" data-department-id=${d.department_id}>
            <span class="dir-dept-icon">${deptIcon}</span>
            <span class="dir-dept-name">${d.name}</span>
            <span class="dir-dept-meta">${d.member_count} ${d.member_count === 1 ? 'member' : 'members'}${d.leader ? html` · Leader <b>${d.leader.name}</b>` : ''}</span>
            ${chevron}
          </a>
        </li>`,
      )}
    </ul>
  </section>`;
}

/** Rows drawn at most (a generated organisation has thousands of people: search or pick a department). */
const MAX_ROWS = 200;

function MemberTable({ title, users: all, org, leaderOf, selectedUser, hrefOf, sub }) {
  const users = all.length > MAX_ROWS ? all.slice(0, MAX_ROWS) : all;
  return html`<section class="dir-section">
    <h3 class="dir-section-title">${title} <span class="dir-count">${all.length}</span></h3>
    ${users.length === 0
      ? html`<div class="dir-empty">Nobody here</div>`
      : html`<table class="dir-table" aria-label=${title}>
          <thead>
            <tr><th>Name</th><th>Email</th><th>Department</th><th>Status</th></tr>
          </thead>
          <tbody>
            ${users.map(
              (u) => html`<tr key=${u.user_id} class=${`${u.status === 'resigned' ? 'resigned' : ''} ${selectedUser === u.user_id ? 'selected' : ''}`} data-testid="directory-member" data-user-id=${u.user_id}>
                <td>
                  <a class="dir-person" href=${hrefOf(sub, { user: u.user_id })}>
                    <img class="avatar avatar-36" src=${u.avatar} alt="" />
                    <span class="dir-person-text">
                      <span class="dir-person-name">${u.en_name || u.name}${leaderOf(u) ? html`<span class="text-tag tag-blue dir-leader">Leader</span>` : ''}</span>
                      <span class="dir-person-title">${u.job_title}</span>
                    </span>
                  </a>
                </td>
                <td><a class="dir-mail" href=${`mailto:${u.email}`}>${u.email}</a></td>
                <td class="dir-dept-cell">${u.departments.map((d) => org.pathOf(d.department_id).map((p) => p.name).join(' / ') || d.name).join(', ') || '—'}</td>
                <td><${StatusTag} status=${u.status} /></td>
              </tr>`,
            )}
          </tbody>
        </table>`}
    ${all.length > users.length && html`<div class="dir-more">Showing the first ${users.length} of ${all.length}: search or pick a department to see the others.</div>`}
  </section>`;
}

function Profile({ user, org, close, onEdit, onRemove }) {
  const depts = user.departments.map((d) => org.pathOf(d.department_id).map((p) => p.name).join(' / ') || d.name);
  const leaders = user.departments
    .map((d) => org.byId.get(d.department_id)?.leader)
    .filter((l) => l && l.user_id !== user.user_id);
  const row = (label, value, cls = '') => html`<div class="dir-profile-row"><span class="dir-profile-label">${label}</span><span class=${`dir-profile-value ${cls}`}>${value}</span></div>`;
  return html`<aside class="dir-profile" data-testid="directory-profile" aria-label=${`${user.en_name || user.name}'s profile`}>
    <div class="dir-profile-cover"></div>
    <a class="dir-profile-close icon-btn" href=${close} title="Close" aria-label="Close">✕</a>
    <img class="avatar dir-profile-avatar" src=${user.avatar.replace(/size=\d+/, 'size=160')} alt="" />
    <div class="dir-profile-name">${user.en_name || user.name} <${StatusTag} status=${user.status} /></div>
    <div class="dir-profile-sub">${user.job_title}</div>
    ${user.status === 'active' &&
    html`<div class="dir-profile-actions">
      <button class="btn btn-primary" onClick=${onEdit} data-testid="directory-edit-person">Edit</button>
      <button class="btn btn-danger" onClick=${onRemove} data-testid="directory-remove-person">Remove</button>
    </div>`}
    <div class="dir-profile-rows">
      ${user.en_name && user.name !== user.en_name && row('Name', user.name)}
      ${row('Department', depts.join(', ') || '—')}
      ${leaders.length > 0 && row('Leader', leaders.map((l) => l.name).join(', '))}
      ${row('Email', html`<a class="md-link" href=${`mailto:${user.email}`}>${user.email}</a>`)}
      ${row('Mobile', user.mobile)}
      ${row('user_id', user.user_id, 'mono')}
      ${row('open_id', user.open_id, 'mono')}
      ${row('union_id', user.union_id, 'mono')}
    </div>
  </aside>`;
}

export default function DirectoryPage({ entry, sub, params, hrefOf, navigate }) {
  const { data, error, reload } = useJson('/__emulator/directory');
  const org = useOrg(data);
  const [query, setQuery] = useState('');
  /** The open dialog: {kind: 'person' | 'department' | 'remove-person' | 'remove-department', …}. */
  const [dialog, setDialog] = useState(null);

  if (!data || !org)
    return html`<div class="page-status">${error ? html`<div class="page-status-title">The directory is not answering</div><div>${error}</div>` : html`<span class="spinner"></span>`}</div>`;

  const deptId = sub.replace(/^\//, '') || ROOT;
  const dept = org.byId.get(deptId);
  const missing = deptId !== ROOT && !dept;
  const selectedUser = params.get('user') ?? undefined;
  const profile = selectedUser ? org.usersById.get(selectedUser) : undefined;
  const here = missing ? '' : sub;
  const q = query.trim().toLowerCase();

  const leaderOf = (u) => (dept ? dept.leader?.user_id === u.user_id : u.leader_of.length > 0);
  const found = q
    ? data.users.filter((u) => [u.name, u.en_name, u.email, u.user_id, u.job_title, ...u.departments.map((d) => d.name)].some((s) => String(s ?? '').toLowerCase().includes(q)))
    : undefined;
  const members = dept ? data.users.filter((u) => u.departments.some((d) => d.department_id === dept.department_id)) : data.users;
  const active = data.users.filter((u) => u.status === 'active').length;
  const crumbs = dept ? org.pathOf(dept.department_id) : [];
  const close = () => setDialog(null);
  const current = dept ? dept.department_id : ROOT;
  const dialogs = {
    person: () => html`<${PersonDialog}
      org=${org}
      person=${dialog.person}
      defaultDept=${current}
      reload=${reload}
      onClose=${close}
      onSaved=${(u) => {
        close();
        const d = u.department_ids[0];
        navigate(d && d !== ROOT ? `/${d}` : '', { user: u.user_id });
      }}
    />`,
    department: () => html`<${DepartmentDialog}
      org=${org}
      dept=${dialog.dept}
      defaultParent=${current}
      reload=${reload}
      onClose=${close}
      onSaved=${(d) => {
        close();
        navigate(`/${d.department_id}`);
      }}
    />`,
    'remove-person': () => html`<${RemoveDialog}
      title=${`Remove ${displayName(dialog.person)}?`}
      text=${`${displayName(dialog.person)} leaves the company: marked resigned, out of every department. Apps whose contact scope covers them get contact.user.deleted_v3.`}
      url=${`/__emulator/directory/users/${encodeURIComponent(dialog.person.open_id)}`}
      done=${`${displayName(dialog.person)} removed`}
      reload=${reload}
      onClose=${close}
      onRemoved=${() => {
        close();
        navigate(here, {});
      }}
    />`,
    'remove-department': () => html`<${RemoveDialog}
      title=${`Delete ${dialog.dept.name}?`}
      text=${'Only an empty department can be deleted (no members, no sub-departments). Apps whose contact scope covers it get contact.department.deleted_v3.'}
      url=${`/__emulator/directory/departments/${encodeURIComponent(dialog.dept.department_id)}`}
      done=${`${dialog.dept.name} deleted`}
      reload=${reload}
      onClose=${close}
      onRemoved=${() => {
        const parent = dialog.dept.parent_department_id;
        close();
        navigate(parent && parent !== ROOT ? `/${parent}` : '');
      }}
    />`,
  };

  return html`<div class="dir" data-testid="directory-page">
    <aside class="sidebar dir-side">
      <div class="sidebar-head">
        <div class="sidebar-title">${entry.title}</div>
        <input class="search" type="search" placeholder="Search people" value=${query} onInput=${(e) => setQuery(e.currentTarget.value)} aria-label="Search people" />
      </div>
      <ul class="dir-nav" aria-label="Organization">
        <li>
          <a class=${`dir-nav-item ${deptId === ROOT ? 'selected' : ''}`} href=${hrefOf('')} data-department-id="0">
            <span class="dir-nav-icon">${orgIcon}</span>
            <span class="dir-nav-name">Organization</span>
            <span class="dir-nav-count">${active}</span>
          </a>
        </li>
        <${DeptTree} org=${org} id=${ROOT} selected=${deptId} hrefOf=${hrefOf} depth=${1} />
      </ul>
      <div class="dir-side-foot">Tenant <code>${data.tenant_key}</code></div>
    </aside>
    <section class="dir-main">
      <header class="dir-head">
        <div class="dir-head-text">
        <nav class="dir-crumbs" aria-label="Breadcrumb">
          <a href=${hrefOf('')} class=${dept ? '' : 'current'}>Organization</a>
          ${crumbs.map((d, i) => html`${chevron}<a key=${d.department_id} href=${hrefOf(`/${d.department_id}`)} class=${i === crumbs.length - 1 ? 'current' : ''}>${d.name}</a>`)}
        </nav>
        <div class="dir-head-sub">
          ${missing
            ? `No department ${deptId}`
            : dept
              ? html`${dept.member_count} ${dept.member_count === 1 ? 'member' : 'members'}${dept.leader ? html` · Leader ${dept.leader.name}` : ''} · <span class="mono">${dept.department_id}</span>`
              : `${active} active of ${data.users.length} people · ${data.departments.length} departments`}
        </div>
        </div>
        <div class="dir-toolbar">
          ${dept &&
          html`<button class="btn btn-text" onClick=${() => setDialog({ kind: 'department', dept })} data-testid="directory-edit-department"><span class="dir-long">Edit department</span><span class="dir-short">Edit</span></button>
            <button class="btn btn-danger_text" onClick=${() => setDialog({ kind: 'remove-department', dept })} data-testid="directory-delete-department">Delete</button>`}
          <button class="btn" onClick=${() => setDialog({ kind: 'department' })} data-testid="directory-add-department"><span class="dir-long">Add department</span><span class="dir-short">+ Department</span></button>
          <button class="btn btn-primary-filled" onClick=${() => setDialog({ kind: 'person' })} data-testid="directory-add-person"><span class="dir-long">Add person</span><span class="dir-short">+ Person</span></button>
        </div>
      </header>
      <div class="dir-body">
        ${found
          ? html`<${MemberTable} title=${`Results for “${query.trim()}”`} users=${found} org=${org} leaderOf=${leaderOf} selectedUser=${selectedUser} hrefOf=${hrefOf} sub=${here} />`
          : missing
            ? html`<div class="dir-empty">This department does not exist (any more). <a class="md-link" href=${hrefOf('')}>Show the organization</a></div>`
            : html`<${DepartmentRows} departments=${org.children(deptId)} hrefOf=${hrefOf} />
                <${MemberTable} title=${dept ? 'Members' : 'All members'} users=${members} org=${org} leaderOf=${leaderOf} selectedUser=${selectedUser} hrefOf=${hrefOf} sub=${here} />`}
      </div>
    </section>
    ${profile &&
    html`<${Profile}
      user=${profile}
      org=${org}
      close=${hrefOf(here)}
      onEdit=${() => setDialog({ kind: 'person', person: profile })}
      onRemove=${() => setDialog({ kind: 'remove-person', person: profile })}
    />`}
    ${dialog && dialogs[dialog.kind]()}
  </div>`;
}
