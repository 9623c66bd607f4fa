import type { Command } from 'commander';
import { printTable, UsageError } from '../cli/commands/_client.js';
import { parseCapabilityConfig } from '../capability/index.js';
import { loadConfig } from '../config/index.js';
import { openDatabase } from '../store/index.js';
import { alertsConfigSchema, SOURCE_NAMES, type AlertsConfig, type SourceName } from './config.js';
import { authorizationOf } from './credentials.js';
import { IncidentBook, type Incident } from './incidents.js';
import { samplePayload } from './samples.js';
import { alertsSandboxConfig } from './sandbox.js';

const json = (v: unknown) => console.log(JSON.stringify(v, null, 2));
const iso = (ms?: number) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');

function alertsConfig(): { config: AlertsConfig; port: number } {
  const hubConfig = loadConfig();
  const { value, problems } = parseCapabilityConfig({ name: 'alerts', config: { schema: alertsConfigSchema, yamlKey: 'alerts' }, sandbox: { config: alertsSandboxConfig } }, hubConfig);
  if (problems.length) throw new UsageError(problems.join('\n'));
  return { config: (value ?? alertsConfigSchema.parse({})) as AlertsConfig, port: hubConfig.http.port };
}

async function withBook<T>(fn: (book: IncidentBook) => Promise<T>): Promise<T> {
  const hubConfig = loadConfig();
  const store = await openDatabase(hubConfig.databaseUrl, { migrate: false });
  try {
    return await fn(new IncidentBook(store, alertsConfigSchema.parse({})));
  } catch (err) {
    if (/no such table|does not exist/.test((err as Error).message)) throw new Error(`no incidents in DATABASE_URL yet: start the hub once there (with an alerts section) or point DATABASE_URL at the hub's database`);
    throw err;
  } finally {
    await store.close();
  }
}

const fail = (err: unknown) => {
  console.error(`feishu-hub: ${(err as Error).message}`);
  process.exitCode = 1;
};

function incidentRow(i: Incident): string[] {
  return [`#${i.id}`, i.status, i.severity, i.title, String(i.firing), i.ackedBy.map((a) => a.name ?? a.open_id).join(', '), iso(i.openedAt)];
}

export function registerAlertCommands(program: Command): void {
  const alerts = program.command('alerts').description('Alert sources: post a sample alert to a running hub');
  alerts
    .command('test')
    .description('post a sample alert (as Alertmanager, Grafana or any system would) to the hub; --resolve resolves it')
    .option('--source <source>', `alertmanager | grafana | generic`, 'alertmanager')
    .option('--resolve', 'send the resolve of the sample instead')
    .option('--hub <url>', 'the hub (default http://127.0.0.1:HUB_PORT)')
    .option('--token <token>', "the source's token (default: from the alerts config: its env variable or token file)")
    .option('--severity <severity>', 'critical | warning | info', 'critical')
    .option('--json', 'print the answer as JSON')
    .action(async (o: { source: string; resolve?: boolean; hub?: string; token?: string; severity: 'critical'; json?: boolean }) => {
      try {
        if (!SOURCE_NAMES.includes(o.source as SourceName)) throw new UsageError(`--source must be one of ${SOURCE_NAMES.join(', ')}`);
        const source = o.source as SourceName;
        const { config, port } = alertsConfig();
        let authorization = o.token ? `Bearer ${o.token}` : undefined;
        if (!authorization) {
          const creds = config.sources[source]?.credentials ?? [];
          if (!creds.length) throw new UsageError(`alerts.sources.${source} is not configured in feishu-hub.yaml (or pass --token)`);
          const { header, problem } = authorizationOf({ ...creds[0], generate: false });
          if (!header) throw new UsageError(`no credential for ${source}: ${problem} (or pass --token)`);
          authorization = header;
        }
        const url = `${(o.hub ?? `http://127.0.0.1:${port}`).replace(/\/$/, '')}/alerts/${source}`;
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(samplePayload(source, { resolve: o.resolve, severity: o.severity })) });
        const body = await res.json().catch(() => ({}));
        if (o.json) json({ http_status: res.status, ...body });
        else if (res.ok) console.log(`${o.resolve ? 'resolved' : 'fired'} the sample ${source} alert: ${res.status} ${JSON.stringify(body)}\nits card appears in the route's chat within a second (feishu-hub incidents --open)`);
        else console.error(`the hub answered ${res.status}: ${JSON.stringify(body)}`);
        if (!res.ok) process.exitCode = 1;
      } catch (err) {
        fail(err);
      }
    });

  const incidents = program.command('incidents').description('Incidents: list them, or one with its alerts and timeline (reads DATABASE_URL)');
  incidents
    .command('list', { isDefault: true })
    .description('the latest incidents')
    .option('--open', 'only those not resolved')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (o: { open?: boolean; limit: string; json?: boolean }) => {
      try {
        const list = await withBook((b) => b.list({ open: o.open, limit: Number(o.limit) || 50 }));
        if (o.json) return json(list);
        if (!list.length) return console.log(o.open ? 'no open incidents' : 'no incidents yet');
        printTable(['ID', 'STATUS', 'SEVERITY', 'TITLE', 'FIRING', 'ACKED BY', 'OPENED'], list.map(incidentRow));
      } catch (err) {
        fail(err);
      }
    });
  incidents
    .command('show <id>')
    .description('one incident: its alerts and timeline')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      try {
        const out = await withBook(async (b) => {
          const incident = await b.get(id);
          return incident && { incident, alerts: await b.alerts(incident.id), timeline: await b.timeline(incident.id) };
        });
        if (!out) throw new Error(`no incident ${id}`);
        if (o.json) return json(out);
        printTable(['ID', 'STATUS', 'SEVERITY', 'TITLE', 'FIRING', 'ACKED BY', 'OPENED'], [incidentRow(out.incident)]);
        console.log('\nalerts');
        printTable(['FINGERPRINT', 'STATUS', 'STARTED', 'LABELS'], out.alerts.map((a) => [a.fingerprint, a.status, iso(a.startsAt), Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ')]), 100);
        console.log('\ntimeline');
        printTable(['AT', 'WHAT', 'WHO', ''], out.timeline.map((t) => [iso(t.at), t.kind, t.actorUser ?? t.actor ?? '', t.text]), 100);
      } catch (err) {
        fail(err);
      }
    });
}
