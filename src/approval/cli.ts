import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { printError, printTable, parseSince, platformFor, UsageError, withClientOptions, type ClientFlags } from '../cli/commands/_client.js';
import { loadConfig } from '../config/index.js';
import { isExplained } from '../platform/explain.js';
import { FeishuApiError, type Platform } from '../platform/index.js';
import { openDatabase } from '../store/index.js';
import { ActionRuns, type ActionRun } from './action-runs.js';
import { ApprovalClient, NoPendingTaskError, type DefinitionSummary, type InstanceSummary } from './client.js';
import { ApprovalFormError, type FormItem, type WidgetDefinition } from './form.js';
import type { ActionRunState } from './tables.js';
import { BitableClient, parseTarget } from '../bitable/index.js';
import { EXPORT_FIELDS, exportApprovalInstances, type ExportProgress } from './export.js';

const API = '/open-apis/approval/v4';

/**
 * The approval business codes (feishu-api.md §4), explained where the platform's shared table
 * (src/platform/explain.ts) has no entry yet.
 */
const APPROVAL_CODES: Record<number, [meaning: string, action: string]> = {
  1390001: ['A parameter of the approval request is invalid (often the form: a widget id, type or value shape).', 'Read the field lines below; `feishu-hub approval definitions <code>` lists the widgets and their types.'],
  1390002: ['No approval definition with this approval_code.', 'Check the code (the definition\'s URL in the admin console ends with it); codes are case-sensitive.'],
  1390003: ['No approval instance with this instance_code.', 'Check the code (`feishu-hub approval list --code …` lists the definition\'s instances).'],
  1390004: ['The user_id or open_id does not name an active user of the tenant.', 'Check the id and its type: open ids start with ou_, anything else is taken as a user_id.'],
  1390007: ['The app already subscribed to this approval code.', 'Nothing to do: its events already reach the app.'],
  1390009: ['That user may not do this: the task (or instance) belongs to someone else.', 'Act as the task\'s assignee (see `feishu-hub approval get <instance>`), or ask them to.'],
  1390010: ['No such task in the instance (or it is no longer actionable).', 'Fetch the instance again (`feishu-hub approval get`) and use a PENDING task.'],
  1390015: ['The approval definition is not active (disabled in the admin console).', 'Enable the definition again before creating instances.'],
  1390016: ['The approval definition was deleted.', 'Use another definition; a deleted one cannot take instances.'],
  60012: ['This uuid already created an instance with a different request body.', 'Use a new --uuid for a new request, or repeat the first request exactly.'],
};

/** printError, with the approval codes explained. */
function printApprovalError(err: unknown, json = false): void {
  if (err instanceof ApprovalFormError) {
    if (json) return void console.error(JSON.stringify({ error: { message: 'the form does not fit the definition', problems: err.problems } }, null, 2));
    const lines = ['feishu-hub: the form does not fit the approval definition (nothing was sent):', ...err.problems.map((p) => `  ${p.widgetId}: ${p.message}`)];
    lines.push('  (see the widgets with `feishu-hub approval definitions <code>`)');
    return void console.error(lines.join('\n'));
  }
  if (err instanceof FeishuApiError && APPROVAL_CODES[err.code] && !isExplained(err.code)) {
    const [meaning, action] = APPROVAL_CODES[err.code];
    Object.defineProperty(err, 'explain', { value: () => ({ meaning, action }) });
  }
  printError(err, json);
}

/** Runs a command body with a platform client; failures are printed for people and exit 1. */
async function withPlatform(flags: ClientFlags, body: (p: Platform) => Promise<void | boolean>): Promise<void> {
  let platform: Platform | undefined;
  try {
    platform = platformFor(flags);
    if ((await body(platform)) === false) process.exitCode = 1;
  } catch (err) {
    printApprovalError(err, flags.json);
    process.exitCode = 1;
  } finally {
    await platform?.close();
  }
}

const json = (v: unknown) => console.log(JSON.stringify(v, null, 2));
const iso = (ms: unknown) => (ms && String(ms) !== '0' ? new Date(Number(ms)).toISOString() : '');
const collect = (v: string, prev: string[] = []) => [...prev, v];

// ---- showing ------------------------------------------------------------------------------

const person = (p: { user_id: string; open_id: string }) => (p.user_id && p.open_id ? `${p.user_id} (${p.open_id})` : p.user_id || p.open_id);
function showValue(v: unknown, currency?: string): string {
  const s = typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(', ') : JSON.stringify(v) ?? '';
  return currency ? `${s} ${currency}` : s;
}

// ---- create: the form from --form / --field --------------------------------------------------

/** `--field name=value`: the value as typed, or parsed when it is JSON ({…}, […]). */
function parseFields(fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`--field takes name=value (a widget id or name), got "${f}"`);
    const key = f.slice(0, eq).trim();
    const raw = f.slice(eq + 1);
    let value: unknown = raw;
    if (/^\s*[[{]/.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new UsageError(`--field ${key}: the value looks like JSON but does not parse`);
      }
    }
    out[key] = value;
  }
  return out;
}

/**
 * The form as given: a form file (a list of {id,type,value} items, or {widget: value}) and/or
 * fields. The client checks it against the definition (and builds the `form` string) before sending.
 */
function formInput(widgets: WidgetDefinition[], file: string | undefined, fields: string[]): FormItem[] | Record<string, unknown> {
  if (!file && fields.length === 0) throw new UsageError(`give the form with --form form.json or --field name=value (widgets: ${widgets.map((w) => `${w.id}${w.required ? '*' : ''} (${w.type})`).join(', ')})`);
  let fromFile: unknown = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`--form ${file}: ${(err as Error).message}`);
    }
  }
  if (Array.isArray(fromFile)) {
    if (fields.length) throw new UsageError('--form holds a list of form items; add the other values there rather than with --field');
    return fromFile as FormItem[];
  }
  if (!fromFile || typeof fromFile !== 'object') throw new UsageError(`--form ${file} must hold a JSON object {widget: value} or a list of {id, type, value}`);
  return { ...(fromFile as Record<string, unknown>), ...parseFields(fields) };
}

/** `--approver node=id[,id]`: the approvers the applicant names, by node id or custom node id. */
function approverLists(specs: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--approver takes node=id[,id…], got "${s}"`);
    const key = s.slice(0, eq).trim();
    const ids = s.slice(eq + 1).split(',').map((x) => x.trim()).filter(Boolean);
    if (!ids.length) throw new UsageError(`--approver ${key}: no ids given`);
    out[key] = [...(out[key] ?? []), ...ids];
  }
  return out;
}

// ---- runs: the outbox in the hub's database ------------------------------------------------

async function withRuns<T>(fn: (runs: ActionRuns) => Promise<T>): Promise<T> {
  const url = loadConfig().databaseUrl;
  // The hub owns migrations (the approval capability's included): the CLI only reads and requeues.
  const store = await openDatabase(url, { migrate: false });
  try {
    return await fn(new ActionRuns(store));
  } catch (err) {
    if (/no such table|relation "approval_action_runs" does not exist/.test((err as Error).message)) {
      throw new UsageError(`no approval outbox in DATABASE_URL=${url.replace(/:\/\/[^@/]*@/, '://…@')} yet: start the hub with the approval capability once there (or point DATABASE_URL at the hub's database)`);
    }
    throw err;
  } finally {
    await store.close();
  }
}

const RUN_STATES: ActionRunState[] = ['pending', 'running', 'done', 'failed'];

// ---- the commands ----------------------------------------------------------------------------

/** `feishu-hub approval …`: definitions, instances, tasks, and the outbox of approval rules. */
export function registerApprovalCommands(program: Command): void {
  const approval = program.command('approval').description('Approvals: definitions, instances, approve/reject, and the rules\' outbox (runs)');

  withClientOptions(
    approval
      .command('definitions')
      .description('Show approval definitions: name, status, widgets and nodes (the platform has no "list definitions" API: give codes, or set APPROVAL_CODES)')
      .argument('[codes...]', 'approval codes (default: APPROVAL_CODES, comma or space separated)'),
  )
    .addHelpText('after', '\nExamples:\n  feishu-hub approval definitions D9E28D42-30C0-6D8E-F3A3-C3466BA59F57 --emulator http://127.0.0.1:9000\n  APPROVAL_CODES=CODE1,CODE2 feishu-hub approval definitions --json')
    .action((codes: string[], opts: ClientFlags) =>
      withPlatform(opts, async (p) => {
        const list = codes.length ? codes : (process.env.APPROVAL_CODES ?? '').split(/[\s,]+/).filter(Boolean);
        if (!list.length) throw new UsageError('give approval codes (feishu-hub approval definitions <code…>) or set APPROVAL_CODES: the platform cannot list definitions');
        const defs: DefinitionSummary[] = [];
        const client = new ApprovalClient(p);
        for (const code of list) defs.push(await client.definition(code));
        if (opts.json) return json(defs);
        defs.forEach((d, i) => {
          if (i) console.log('');
          console.log(`${d.name}  ${d.approval_code}  ${d.status}`);
          printTable(['WIDGET ID', 'TYPE', 'NAME', 'REQUIRED', 'OPTIONS'], d.widgets.map((w) => [w.id, w.type, w.name ?? '', w.required ? 'yes' : 'no', (w.options ?? []).map((o) => o.value).join(', ')]));
          if (d.nodes.length) console.log(`nodes: ${d.nodes.map((n) => `${n.custom_node_id || n.node_id} (${n.type}${n.need_approver ? ', applicant names approvers' : ''})`).join(' → ')}`);
        });
      }),
    );

  withClientOptions(
    approval
      .command('create')
      .description('Submit an approval instance; the form is checked against the definition\'s widgets before anything is sent')
      .requiredOption('--code <approval_code>', 'the approval definition')
      .requiredOption('--user <id>', 'the applicant: an open_id (ou_…) or a user_id')
      .option('--form <file>', 'a JSON file: {"widget id or name": value} or a list of {id, type, value} items')
      .option('--field <name=value>', 'a widget value by id or name (repeatable): amount=1200 CNY, checkbox=a,b, JSON for structured values', collect, [])
      .option('--approver <node=ids>', 'approvers the applicant names for a node (repeatable): approvers=alice,bob', collect, [])
      .option('--title <text>', 'the instance title')
      .option('--uuid <key>', 'idempotency key: the same request with it answers the same instance'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  feishu-hub approval create --code D9E28D42-30C0-6D8E-F3A3-C3466BA59F57 --user bob --field amount="1200 CNY" --field reason="Team offsite" --field date=2026-01-15T09:00:00+08:00\n  feishu-hub approval create --code <code> --user ou_… --form form.json --uuid expense-42 --json',
    )
    .action((opts: ClientFlags & { code: string; user: string; form?: string; field: string[]; approver: string[]; title?: string; uuid?: string }) =>
      withPlatform(opts, async (p) => {
        const client = new ApprovalClient(p);
        const def = await client.definition(opts.code);
        const res = await client.create({ code: opts.code, user: opts.user, form: formInput(def.widgets, opts.form, opts.field), approvers: approverLists(opts.approver), title: opts.title, uuid: opts.uuid });
        const out = res;
        if (opts.json) return json(out);
        console.log(`Created instance ${out.instance_code} of ${def.name || opts.code}.`);
        if (out.instance_link) console.log(`  link: ${out.instance_link}`);
      }),
    );

  withClientOptions(approval.command('get').description('An instance: status, applicant, form values, tasks (assignee, status) and timeline').argument('<instance_code>', 'the instance (or the uuid it was created with)'))
    .addHelpText('after', '\nExamples:\n  feishu-hub approval get 81D31358-93AF-92D6-7425-01A5D67C4E71 --emulator http://127.0.0.1:9000\n  feishu-hub approval get <instance> --json | jq .status')
    .action((code: string, opts: ClientFlags) =>
      withPlatform(opts, async (p) => {
        const s = await new ApprovalClient(p).get(code);
        if (opts.json) return json(s);
        printInstance(s);
      }),
    );

  withClientOptions(
    approval
      .command('list')
      .description('Instances of a definition created in a time range, with their status (lists the codes, then gets each)')
      .requiredOption('--code <approval_code>', 'the approval definition')
      .option('--since <time>', 'created since: an ISO time or a duration back from now (30m, 2h, 7d)', '7d')
      .option('--until <time>', 'created until (default: now)')
      .option('--status <status>', 'only instances in this status (PENDING, APPROVED, REJECTED, CANCELED, DELETED, REVERTED…)'),
  )
    .addHelpText('after', '\nExamples:\n  feishu-hub approval list --code D9E28D42-30C0-6D8E-F3A3-C3466BA59F57 --since 1d --emulator http://127.0.0.1:9000\n  feishu-hub approval list --code <code> --status PENDING --json')
    .action((opts: ClientFlags & { code: string; since: string; until?: string; status?: string }) =>
      withPlatform(opts, async (p) => {
        const start = parseSince(opts.since).getTime();
        const end = opts.until ? parseSince(opts.until, '--until').getTime() : Date.now();
        const codes: string[] = [];
        let pageToken: string | undefined;
        do {
          const res = await p.request<{ data?: { instance_code_list?: string[]; has_more?: boolean; page_token?: string } }>({
            method: 'GET',
            url: `${API}/instances`,
            params: { approval_code: opts.code, start_time: String(start), end_time: String(end), page_size: 100, ...(pageToken ? { page_token: pageToken } : {}) },
          });
          codes.push(...(res.data?.instance_code_list ?? []));
          pageToken = res.data?.has_more && res.data.page_token ? res.data.page_token : undefined;
        } while (pageToken);
        // Each instance's status needs its own get: a few at a time.
        const client = new ApprovalClient(p);
        const all: InstanceSummary[] = new Array(codes.length);
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(4, codes.length) }, async () => {
            while (next < codes.length) {
              const i = next++;
              all[i] = await client.get(codes[i]);
            }
          }),
        );
        const wanted = opts.status?.toUpperCase();
        const shown = wanted ? all.filter((s) => s.status === wanted) : all;
        if (opts.json) return json(shown.map(({ instance_code, status, applicant, start_time, end_time, title, serial_number }) => ({ instance_code, status, applicant, start_time, end_time, serial_number, ...(title ? { title } : {}) })));
        if (!shown.length) return console.log(`no instances${wanted ? ` in ${wanted}` : ''} of ${opts.code} created since ${new Date(start).toISOString()}`);
        printTable(['INSTANCE', 'STATUS', 'APPLICANT', 'STARTED', 'ENDED'], shown.map((s) => [s.instance_code, s.status, person(s.applicant), s.start_time, s.end_time]), 70);
      }),
    );

  for (const action of ['approve', 'reject'] as const) {
    withClientOptions(
      approval
        .command(action)
        .description(`${action === 'approve' ? 'Approve' : 'Reject'} the PENDING task a person holds in an instance, as that person`)
        .argument('<instance_code>', 'the instance')
        .requiredOption('--as <id>', 'the approver: an open_id (ou_…) or a user_id')
        .option('--comment <text>', 'the approval opinion'),
    )
      .addHelpText('after', `\nExamples:\n  feishu-hub approval ${action} <instance> --as alice --comment "${action === 'approve' ? 'ok' : 'over budget'}" --emulator http://127.0.0.1:9000`)
      .action((instanceCode: string, opts: ClientFlags & { as: string; comment?: string }) =>
        withPlatform(opts, async (p) => {
          const client = new ApprovalClient(p);
          const before = await client.get(instanceCode);
          const pending = before.tasks.filter((t) => t.status === 'PENDING');
          // Not theirs: the platform decides (and says why, 1390009); the note says who holds them.
          if (pending.length && !pending.some((t) => t.assignee.open_id === opts.as || t.assignee.user_id === opts.as) && !opts.json) console.error(`note: ${opts.as} holds none of the pending tasks (held by ${pending.map((t) => person(t.assignee)).join(', ')}); asking the platform anyway`);
          const { task } = await client.decide(action, { instance: instanceCode, as: opts.as, comment: opts.comment }).catch((err: unknown) => {
            throw err instanceof NoPendingTaskError ? new UsageError(err.message) : err;
          });
          const after = await client.get(instanceCode);
          const out = { instance_code: after.instance_code, task_id: task.id, action, as: opts.as, instance_status: after.status, pending_tasks: after.tasks.filter((t) => t.status === 'PENDING').map((t) => ({ id: t.id, node: t.node, assignee: t.assignee })) };
          if (opts.json) return json(out);
          console.log(`${action === 'approve' ? 'Approved' : 'Rejected'} task ${task.id} (${task.node_name ?? task.custom_node_id ?? ''}) as ${opts.as}; the instance is ${after.status}.`);
          for (const t of out.pending_tasks) console.log(`  next: ${t.node} — ${person(t.assignee)}`);
        }),
      );
  }

  withClientOptions(
    approval
      .command('export')
      .description('Export every instance of a definition to a Bitable table: one record per instance (key: instance code; a second export updates), missing fields created')
      .argument('<approval_code>', 'the approval definition')
      .requiredOption('--to-bitable <app_token/table_id>', 'the table: <app_token>/<table_id> (both from the base\'s URL)')
      .option('--since <time>', 'only instances created since: an ISO time, a duration back from now (30d), or "all"', 'all')
      .option('--until <time>', 'created until (default: now)'),
  )
    .addHelpText(
      'after',
      `\nFields written: ${Object.values(EXPORT_FIELDS).join(', ')}, and one text field per form widget (by its name).\n\nExamples:\n  feishu-hub approval export D9E28D42-30C0-6D8E-F3A3-C3466BA59F57 --to-bitable bascnAbc/tblXyz --emulator http://127.0.0.1:9000\n  feishu-hub approval export <code> --to-bitable <app>/<tbl> --since 30d --json`,
    )
    .action((code: string, opts: ClientFlags & { toBitable: string; since: string; until?: string }) =>
      withPlatform(opts, async (p) => {
        let target;
        try {
          target = parseTarget(opts.toBitable);
        } catch (err) {
          throw new UsageError(`--to-bitable: ${(err as Error).message}`);
        }
        const since = opts.since === 'all' ? 0 : parseSince(opts.since).getTime();
        const until = opts.until ? parseSince(opts.until, '--until').getTime() : Date.now();
        const bar = opts.json ? undefined : await exportBar();
        try {
          const r = await exportApprovalInstances(p, new BitableClient(p), code, target, { since, until, onProgress: (x) => bar?.update(x) });
          bar?.stop();
          if (opts.json) return json(r);
          console.log(`Exported ${r.instances} instance${r.instances === 1 ? '' : 's'} of ${code} to ${r.app_token}/${r.table_id}: ${r.created} created, ${r.updated} updated.`);
          if (r.fields_created.length) console.log(`  fields added to the table: ${r.fields_created.join(', ')}`);
          for (const m of r.fields_mismatched) console.log(`  note: field "${m.field_name}" is type ${m.actual} in the table (the export would make it ${m.wanted}); values were converted to its type`);
        } finally {
          bar?.stop();
        }
      }),
    );

  const runs = approval.command('runs').description('The approval rules\' outbox in the hub\'s database (reads DATABASE_URL): each action once per instance and status');
  runs
    .command('list', { isDefault: true })
    .description('action runs, newest first: state, attempts, the last HTTP status and error')
    .option('--state <state>', `only runs in this state (${RUN_STATES.join(', ')})`)
    .option('--instance <instance_code>', 'only the runs of one instance')
    .option('-n, --limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  feishu-hub approval runs --state failed\n  feishu-hub approval runs --json\n  feishu-hub approval runs retry <id>')
    .action(async (o: { state?: string; instance?: string; limit: string; json?: boolean }) => {
      try {
        if (o.state && !RUN_STATES.includes(o.state as ActionRunState)) throw new UsageError(`--state must be one of ${RUN_STATES.join(', ')} (got ${o.state})`);
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number (got ${o.limit})`);
        const list = await withRuns((r) => r.list({ state: o.state as ActionRunState | undefined, instanceCode: o.instance, limit }));
        if (o.json) return json(list);
        if (!list.length) return console.log(`no action runs${o.state ? ` in state ${o.state}` : ''}`);
        printTable(['ID', 'STATE', 'ACTION', 'TRIES', 'HTTP', 'UPDATED', 'LAST ERROR'], list.map((r: ActionRun) => [r.id, r.state, r.action, String(r.attempts), r.lastStatus === null ? '' : String(r.lastStatus), iso(r.updatedAt), (r.lastError ?? '').split('\n')[0]]), 90);
      } catch (err) {
        printApprovalError(err, o.json);
        process.exitCode = 1;
      }
    });
  runs
    .command('retry')
    .description('put failed runs back in the queue with a fresh attempt budget; a running hub picks them up at its next drain')
    .argument('<ids...>', 'run ids (as `approval runs` lists them)')
    .option('--json', 'print JSON')
    .action(async (ids: string[], o: { json?: boolean }) => {
      try {
        const results = await withRuns(async (r) => {
          const out: { id: string; retried: boolean; state?: string }[] = [];
          for (const id of ids) {
            const retried = await r.retry(id);
            out.push({ id, retried, ...(retried ? {} : { state: (await r.get(id))?.state }) });
          }
          return out;
        });
        if (o.json) json(results);
        else for (const r of results) console.log(`${r.id}  ${r.retried ? 'queued again' : r.state ? `not retried: it is ${r.state} (only failed runs are retried)` : 'not found'}`);
        if (results.some((r) => !r.retried)) process.exitCode = 1;
      } catch (err) {
        printApprovalError(err, o.json);
        process.exitCode = 1;
      }
    });
}

function printInstance(s: InstanceSummary): void {
  const rows: [string, string][] = [
    ['Instance', s.instance_code],
    ['Approval', `${s.approval_name} (${s.approval_code})`],
    ...(s.title ? ([['Title', s.title]] as [string, string][]) : []),
    ['Status', s.status],
    ['Applicant', person(s.applicant)],
    ['Started', s.start_time],
    ['Ended', s.end_time || '-'],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(10)} ${v}`);
  console.log('\nForm:');
  printTable(['WIDGET', 'NAME', 'TYPE', 'VALUE'], s.form.map((f) => [f.id, f.name, f.type, showValue(f.value, f.currency)]), 70);
  console.log('\nTasks:');
  if (s.tasks.length) printTable(['TASK', 'NODE', 'ASSIGNEE', 'STATUS', 'STARTED', 'ENDED'], s.tasks.map((t) => [t.id, t.node, person(t.assignee), t.status, t.start_time, t.end_time]), 70);
  else console.log('(none)');
  console.log('\nTimeline:');
  if (s.timeline.length) printTable(['TIME', 'EVENT', 'WHO', 'COMMENT'], s.timeline.map((e) => [e.time, e.type, person(e.user), e.comment ?? '']), 70);
  else console.log('(none)');
  if (s.comments.length) {
    console.log('\nComments:');
    printTable(['TIME', 'WHO', 'COMMENT'], s.comments.map((c) => [c.time, person(c.user), c.comment]), 70);
  }
}

/** The export's progress on stderr (people); --json prints none. */
async function exportBar(): Promise<{ update: (p: ExportProgress) => void; stop: () => void }> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: ' {phase} |{bar}| {value}/{total} instances | {rate}/s', hideCursor: true, clearOnComplete: false, noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 2000, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let on = false;
  let stopped = false;
  const label = { list: 'listing', read: 'reading', write: 'writing' } as const;
  return {
    update(p) {
      if (stopped) return;
      const payload = { phase: label[p.phase].padEnd(7), rate: Math.round((p.done * 1000) / Math.max(1, Date.now() - started)) };
      if (!on) {
        bar.start(Math.max(1, p.total), p.done, payload);
        on = true;
      }
      bar.setTotal(Math.max(1, p.total));
      bar.update(p.done, payload);
    },
    stop() {
      if (on && !stopped) bar.stop();
      stopped = true;
    },
  };
}
