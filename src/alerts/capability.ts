import { Counter } from 'prom-client';
import { defineCapability } from '../capability/index.js';
import type { ActionContext } from '../cards/index.js';
import type { Inbox, Store } from '../store/index.js';
import { FeishuApiError } from '../platform/index.js';
import { Bindings } from './bindings.js';
import type { AccountsApi } from '../sso/index.js';
import { registerAlertCommands } from './cli.js';
import { incidentCommands } from './commands.js';
import { alertsConfigSchema, type AlertsConfig, type SourceName } from './config.js';
import { loadSourceCredentials } from './credentials.js';
import { IncidentBook, type Incident, type TimelineEntry } from './incidents.js';
import { ALERT_BATCH_EVENT, parseSourceBody, registerIngestRoutes, storeBatch } from './ingest.js';
import { Notifier } from './notifier.js';
import { People } from './people.js';
import { remindIncidents } from './reminders.js';
import { Responders, type ActionOutcome, type IncidentAction } from './responders.js';
import type { AlertBatch } from './sources/index.js';
import { alertMigrations, type AlertDb } from './tables.js';
import { WarRooms } from './war-rooms.js';
import { alertsSandboxConfig } from './sandbox.js';
import { IncidentLog } from './bitable-log.js';
import { BitableClient } from '../bitable/index.js';
import { alertsScopes } from './scopes.js';
import { alertsConsole } from './console-panel.js';

/** `hub.alerts`: the incidents, what people can do to them, and a way in for alerts from code. */
export interface AlertsApi {
  /** Stores an alert payload as if a source had posted it (validated; durable before it resolves). */
  submit(source: SourceName, body: unknown): Promise<{ duplicate: boolean; alerts: number }>;
  incidents(o?: { open?: boolean; limit?: number }): Promise<Incident[]>;
  incident(id: string): Promise<Incident | undefined>;
  timeline(id: string): Promise<TimelineEntry[]>;
  /** Acts as a Feishu user (open_id), exactly as their click would. */
  act(id: string, action: IncidentAction, openId: string, arg?: string): Promise<ActionOutcome>;
  /** Resolves when every due card has been sent or updated (tests, scripts). */
  settled(): Promise<void>;
  /** What the delivery loop sent so far. */
  stats(): Notifier['stats'];
}

declare module '../capability/index.js' {
  interface HubExtensions {
    alerts: AlertsApi;
  }
}

interface AlertsRuntime {
  store: Store;
  inbox: Inbox;
  book: IncidentBook;
  notifier: Notifier;
  responders: Responders;
  warRooms: WarRooms;
  bindings: Bindings;
}

const CLICKS: [key: string, action: IncidentAction][] = [
  ['alerts.ack', 'ack'],
  ['alerts.resolve', 'resolve'],
  ['alerts.snooze', 'snooze'],
  ['alerts.silence', 'silence'],
  ['alerts.escalate', 'escalate'],
  ['alerts.war_room', 'war_room'],
];

/**
 * Alerts and incidents: `POST /alerts/{alertmanager,grafana,generic}` store each payload in the
 * durable inbox before answering; a listener folds it into incidents (dedup by fingerprint +
 * start, grouped by the source's group); the delivery loop keeps one card per incident per chat
 * up to date under the platform's limits; people act on the card or with commands as themselves.
 */
export const alertsCapability = defineCapability({
  name: 'alerts',
  scopes: alertsScopes,
  after: ['bot', 'cards'],
  config: { schema: alertsConfigSchema, yamlKey: 'alerts' },
  sandbox: {
    config: alertsSandboxConfig,
    hint: ({ hubUrl }) => [`alerts         npx feishu-hub alerts test   (posts a sample to ${hubUrl}/alerts/alertmanager; the card shows in the demo group)`],
  },
  migrations: alertMigrations,
  console: alertsConsole,
  setup({ hub, config, decorate, on, onStart, onStop, platform, logger, metrics }) {
    // A hub without an alerts section has no alert commands in its /help and no delivery loop.
    if (!isConfigured(config)) {
      const off = () => Promise.reject(new Error('alerts are not configured: add an alerts section (sources, routes) to feishu-hub.yaml'));
      decorate({ alerts: { submit: off, incidents: off, incident: off, timeline: off, act: off, settled: off, stats: () => ({ cardsSent: 0, cardsPatched: 0, summariesSent: 0, summariesPatched: 0, folded: 0, failures: 0 }) } satisfies AlertsApi });
      return;
    }
    loadSourceCredentials(config); // a missing credential stops the start here, with what to set
    const received = new Counter({ name: 'feishu_hub_alerts_received_total', help: 'Alerts accepted by source', labelNames: ['source'], registers: [metrics] });
    const people = new People(platform, config, logger);
    let rt: AlertsRuntime | undefined;
    const runtime = () => {
      if (!rt) throw new Error('the alerts capability has not started yet');
      return rt;
    };

    on(ALERT_BATCH_EVENT, async (ctx) => {
      const batch = ctx.event as unknown as AlertBatch;
      const changed = await runtime().book.applyBatch(batch);
      received.inc({ source: batch.source }, batch.alerts.length);
      ctx.logger.debug({ source: batch.source, alerts: batch.alerts.length, incidents: changed }, 'alert batch applied');
      runtime().notifier.kick();
    });

    // Someone disbanded the war room in Feishu: the incident stops posting there.
    on('im.chat.disbanded_v1', async (ctx) => {
      const chatId = (ctx.event as { chat_id?: string }).chat_id;
      if (!chatId) return;
      const db = runtime().store.db as unknown as AlertDb;
      const room = await db.selectFrom('alert_incidents').select('id').where('war_room_chat_id', '=', chatId).executeTakeFirst();
      if (!room) return;
      await runtime().book.change(room.id, (row) => row.war_room_state === 'disbanded' || row.war_room_state === 'disbanding' ? undefined : ({ set: { war_room_state: 'disbanded' }, entry: { kind: 'war_room_disbanded', actor: (ctx.event as { operator_id?: { open_id?: string } }).operator_id?.open_id, text: 'war room disbanded in Feishu' } }));
      await db.updateTable('alert_deliveries').set({ failed: 1, last_error: 'the chat was disbanded' }).where('target', '=', chatId).execute();
    });

    for (const [key, action] of CLICKS) {
      hub.action(key, async (ctx: ActionContext) => {
        const id = (ctx.value as { incident?: string } | undefined)?.incident;
        if (!id || !ctx.user.openId) return ctx.toast('This card is missing its incident.', 'error');
        const out = await runtime().responders.act(id, action, ctx.user.openId, action === 'snooze' || action === 'silence' ? ctx.option : undefined);
        ctx.toast(out.message, out.ok ? 'success' : out.held ? 'warning' : 'info');
        if (out.ok && out.incident) await answerWithCard(ctx, out.incident);
      });
    }
    hub.action('alerts.ack_all', async (ctx: ActionContext) => {
      const ids = ((ctx.value as { ids?: string[] } | undefined)?.ids ?? []).slice(0, 40);
      const outs = await Promise.all(ids.map((id) => runtime().responders.act(id, 'ack', ctx.user.openId ?? '')));
      const held = outs.find((o) => o.held);
      ctx.toast(held ? held.message : `Acknowledged ${outs.filter((o) => o.ok).length} incidents.`, held ? 'warning' : 'success');
    });
    /** The clicked card shows the change in the answer (for everyone: it is a shared card); the loop need not patch it. */
    const answerWithCard = async (ctx: ActionContext, incident: Incident) => {
      const { notifier, store } = runtime();
      await ctx.updateCard(await notifier.cardFor(incident));
      if (ctx.messageId) {
        await (store.db as unknown as AlertDb).updateTable('alert_deliveries').set({ rendered_version: incident.version, patched_at: Date.now() }).where('message_id', '=', ctx.messageId).where('rendered_version', '<', incident.version).execute();
      }
    };

    const commandDeps = {
      get store() { return runtime().store; },
      get book() { return runtime().book; },
      get responders() { return runtime().responders; },
      get bindings() { return runtime().bindings; },
    };
    for (const [name, description, fn] of incidentCommands(commandDeps)) hub.command(name, fn, { description });

    decorate({
      alerts: {
        async submit(source, body) {
          const parsed = parseSourceBody(source, body, Buffer.from(JSON.stringify(body)), Date.now());
          const result = await storeBatch(runtime().inbox, parsed);
          return { duplicate: result === 'duplicate', alerts: parsed.batch.alerts.length };
        },
        incidents: (o) => runtime().book.list(o),
        incident: (id) => runtime().book.get(id),
        timeline: (id) => runtime().book.timeline(id),
        act: (id, action, openId, arg) => runtime().responders.act(id, action, openId, arg),
        async settled() {
          const { notifier } = runtime();
          for (let i = 0; i < 200; i++) {
            await notifier.idle();
            if ((await notifier.round()) === 0) return;
          }
        },
        stats: () => runtime().notifier.stats,
      } satisfies AlertsApi,
    });

    onStart(async ({ store, inbox }) => {
      const book = new IncidentBook(store, config);
      const bindings = new Bindings(store, config, people, (hub as { accounts?: AccountsApi }).accounts);
      const owner = `${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
      let warRooms: WarRooms | undefined;
      const log = config.bitable ? new IncidentLog(new BitableClient(platform), { appToken: config.bitable.app_token, tableId: config.bitable.table_id }) : undefined;
      const notifier = new Notifier({ store, book, messenger: hub.messenger, people, config, logger, owner, also: () => warRooms!.work(), log });
      warRooms = new WarRooms({ store, book, messenger: hub.messenger, people, config, logger });
      const responders = new Responders({ store, book, bindings, people, warRooms, notifier, messenger: hub.messenger, config, logger });
      rt = { store, inbox, book, notifier, responders, warRooms, bindings };
      runtimes.set(store, rt);
      const unknown = await bindings.seed();
      if (unknown.length) logger.error({ people: unknown }, 'alerts.bindings.users names people the directory does not know; their bindings are skipped');
      await checkRouteChats(config, hub.messenger.chats, logger);
      notifier.start();
      notifier.kick();
      onStop(() => notifier.stop());
    });
  },
  routes: (app, ctx) => {
    const config = ctx.config as AlertsConfig;
    return registerIngestRoutes(app, { inbox: ctx.inbox, credentials: loadSourceCredentials(config), logger: ctx.logger, bodyLimit: config.body_limit_bytes });
  },
  jobs: [
    {
      name: 'remind',
      everyMs: (config) => config.remind_every_ms,
      singleton: true,
      async run({ hub, store, logger }) {
        const rt = runtimes.get(store);
        if (rt) await remindIncidents({ ...rt, messenger: hub.messenger, logger });
      },
    },
  ],
  cli: ({ program }) => registerAlertCommands(program),
});

// Jobs get the runtime context; they find the capability's runtime by its store.
const runtimes = new WeakMap<Store, AlertsRuntime>();

/** Whether the hub was given anything to do with alerts (a source, a route or a default chat). */
function isConfigured(config: AlertsConfig): boolean {
  return Object.values(config.sources).some(Boolean) || config.routes.length > 0 || config.default_chat !== undefined;
}

/** A route to a chat the bot is not in is reported at start (its incidents' timelines say so too). */
async function checkRouteChats(config: AlertsConfig, chats: { get(id: string): Promise<Record<string, unknown>> }, logger: { error: (o: object, m: string) => void; info: (o: object, m: string) => void }) {
  const targets = new Map<string, string>();
  for (const r of config.routes) for (const c of r.chats) targets.set(c, r.name);
  if (config.default_chat) targets.set(config.default_chat, 'default_chat');
  for (const [chat, route] of targets) {
    try {
      await chats.get(chat);
    } catch (err) {
      const why = err instanceof FeishuApiError ? `${err.code} ${err.msg}: ${err.explain().action}` : (err as Error).message;
      logger.error({ route, chat_id: chat, err }, `alerts route "${route}" sends to ${chat}, which the bot cannot reach (${why}); its incidents are kept and their timelines say they were not delivered there`);
    }
  }
}
