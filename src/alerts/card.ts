import { button, card2, column, columnSet, confirm, header, markdown, option, selectStatic, textTag } from '../cards/index.js';
import { MAX_CARD_BYTES } from '../cards/index.js';
import type { Incident } from './incidents.js';
import type { Labels } from './matchers.js';

export interface CardAlert {
  fingerprint: string;
  status: string;
  startsAt: number;
  labels: Labels;
  annotations: Labels;
  links: { name: string; url: string }[];
  silenced?: string;
}

export interface IncidentCardView {
  incident: Incident;
  alerts: CardAlert[];
  /** open_ids to @ (first card, re-notifications). */
  mentions?: string[];
  maxAlerts: number;
  warRoomName?: string;
  /** Whether the card offers "Open war room" (route policy not `off`). */
  warRoomButton: boolean;
  /** Base of the Alertmanager UI, for the silence link. */
  alertmanagerUrl?: string;
  /** Silence creates the silence through Alertmanager's API (a select of durations) instead of linking to its form. */
  silenceInAlertmanager?: boolean;
}

const COLOURS = { critical: 'red', warning: 'orange', info: 'blue' } as const;
const SEVERITY_TAG = { critical: 'red', warning: 'orange', info: 'blue' } as const;
const HIDDEN_LABELS = new Set(['alertname', 'severity', '__name__']);

export const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const esc = (s: string) => s.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
/** Small grey text (schema 2.0 has no `note`). */
const footnote = (text: string) => markdown(`<font color='grey'>${text}</font>`, { text_size: 'notation' });
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function statusLine(i: Incident): string {
  if (i.status === 'resolved') return `✅ **Resolved** ${i.resolvedBy ? `by ${esc(i.resolvedBy.name ?? i.resolvedBy.user ?? i.resolvedBy.open_id)} ` : ''}${i.resolvedAt ? time(i.resolvedAt) : ''}${i.resolvedBy ? '' : ' · all alerts resolved'}`;
  const acked = i.ackedBy.length ? `👀 **Acknowledged** by ${i.ackedBy.map((a) => `${esc(a.name ?? a.user ?? a.open_id)} (${time(a.at).slice(11)})`).join(', ')}` : '🔥 **Triggered**, not acknowledged';
  const snoozed = i.snoozedUntil && i.snoozedUntil > Date.now() ? ` · 💤 snoozed until ${time(i.snoozedUntil)}` : '';
  return acked + snoozed;
}

/** One alert: its name, the labels that set it apart from the group's, its summary, since when. */
function alertLine(a: CardAlert, groupLabels: Labels): string {
  const icon = a.status === 'firing' ? (a.silenced ? '🔕' : '🔴') : '🟢';
  const name = a.labels.alertname ?? 'alert';
  const where = Object.entries(a.labels).filter(([k, v]) => !HIDDEN_LABELS.has(k) && groupLabels[k] !== v).slice(0, 3).map(([k, v]) => `${k}=${v}`).join(' ');
  const summary = a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? '';
  return clip(`${icon} **${esc(name)}** ${esc(where)}${summary ? ` — ${esc(summary)}` : ''} (since ${time(a.startsAt).slice(11)})`, 300);
}

function silenceLink(base: string | undefined, labels: Labels): string | undefined {
  if (!base) return undefined;
  const filter = `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  return `${base.replace(/\/$/, '')}/#/silences/new?filter=${encodeURIComponent(filter)}`;
}

/**
 * The incident card (schema 2.0, shared: one update changes it for everyone): colour by severity
 * and state, the status with who acknowledged, the group's labels and annotations, the first
 * alerts with "+N more", links, and the buttons while it is open. Kept under the 30 KB limit by
 * listing fewer alerts.
 */
export function incidentCard(view: IncidentCardView): Record<string, unknown> {
  for (let n = view.maxAlerts; ; n = Math.floor(n / 2)) {
    const card = build(view, n);
    if (Buffer.byteLength(JSON.stringify(card)) <= MAX_CARD_BYTES - 2048 || n === 0) return card;
  }
}

function build(view: IncidentCardView, maxAlerts: number): Record<string, unknown> {
  const i = view.incident;
  const open = i.status !== 'resolved';
  const snoozed = Boolean(i.snoozedUntil && i.snoozedUntil > Date.now());
  const state = i.status === 'resolved' ? 'RESOLVED' : `FIRING:${i.firing}`;
  const template = !open ? 'green' : snoozed ? 'grey' : COLOURS[i.severity];
  const tags = [textTag(i.severity, SEVERITY_TAG[i.severity]), textTag(i.status === 'resolved' ? 'resolved' : i.ackedBy.length ? 'acknowledged' : 'triggered', i.status === 'resolved' ? 'green' : i.ackedBy.length ? 'wathet' : 'red')];
  if (i.flapping) tags.push(textTag('flapping', 'violet'));

  const a = i.annotations;
  const about = [a.summary && `**Summary**: ${esc(a.summary)}`, a.description && esc(clip(a.description, 1500)), a.message && !a.summary && esc(clip(a.message, 1500))].filter(Boolean);
  const labels = Object.entries(i.labels).filter(([k]) => !HIDDEN_LABELS.has(k)).map(([k, v]) => `\`${esc(k)}=${esc(clip(v, 80))}\``).slice(0, 12);
  const firing = view.alerts.filter((x) => x.status === 'firing');
  const resolved = view.alerts.filter((x) => x.status !== 'firing');
  const shown = [...firing, ...resolved].slice(0, maxAlerts);
  const more = view.alerts.length - shown.length;

  const elements: Record<string, unknown>[] = [
    markdown(`${statusLine(i)}\n**Started** ${time(Math.min(i.openedAt, ...view.alerts.map((x) => x.startsAt)))} · **Firing** ${i.firing} · **Resolved** ${i.resolvedAlerts}${view.warRoomName ? `\n**War room**: ${esc(view.warRoomName)}` : ''}`),
  ];
  if (view.mentions?.length && open) elements.push(markdown(`**On call**: ${view.mentions.map((m) => `<at id=${m}></at>`).join(' ')}`));
  if (about.length) elements.push(markdown(about.join('\n')));
  if (labels.length) elements.push(markdown(labels.join(' ')));
  if (shown.length) elements.push(markdown(shown.map((x) => alertLine(x, i.labels)).join('\n') + (more > 0 ? `\n**+${more} more** (${firing.length} firing, ${resolved.length} resolved in all)` : '')));

  const links = [
    ...dedupeLinks(view.alerts.flatMap((x) => x.links)).slice(0, 3),
    ...(a.runbook_url ? [{ name: 'Runbook', url: a.runbook_url }] : []),
    ...(i.source === 'alertmanager' && open && !view.silenceInAlertmanager ? [{ name: 'Silence', url: silenceLink(view.alertmanagerUrl ?? i.externalUrl, i.labels) }] : []),
  ].filter((l): l is { name: string; url: string } => Boolean(l.url && /^https?:\/\//.test(l.url)));
  if (links.length) elements.push(columnSet(links.slice(0, 4).map((l) => column([button(l.name, { url: l.url, size: 'small' })], { width: 'auto' })), { flex_mode: 'flow' }));

  if (open) {
    const v = { incident: i.id };
    const buttons = [
      button('Acknowledge', { type: 'primary', action: 'alerts.ack', value: v }),
      button('Resolve', { type: 'danger', action: 'alerts.resolve', value: v, confirm: confirm('Resolve this incident?', 'The card turns green; alerts that keep firing reopen it.') }),
      selectStatic([option('1 hour', '1h'), option('4 hours', '4h'), option('24 hours', '24h')], { placeholder: snoozed ? 'Snoozed' : 'Snooze', action: 'alerts.snooze', value: v }),
      button('Escalate', { action: 'alerts.escalate', value: v }),
      ...(view.silenceInAlertmanager && i.source === 'alertmanager' ? [selectStatic([option('Silence 1 hour', '1h'), option('Silence 4 hours', '4h'), option('Silence 24 hours', '24h')], { placeholder: 'Silence in Alertmanager', action: 'alerts.silence', value: v })] : []),
      ...(view.warRoomButton && !i.warRoomChatId && i.warRoomState !== 'creating' && i.warRoomState !== 'requested' ? [button('Open war room', { action: 'alerts.war_room', value: v })] : []),
    ];
    elements.push(columnSet(buttons.map((b) => column([b], { width: 'auto' })), { flex_mode: 'flow' }));
  }
  elements.push(footnote(`#${i.id} · ${i.source}${i.flapping ? ' · flapping: mentions paused' : ''} · updated ${time(i.updatedAt)}`));

  return card2(
    { header: header(clip(`[${state}] ${i.title}`, 200), { template, tags }), config: { update_multi: true, summary: { content: `[${state}] ${clip(i.title, 80)}` } } as Record<string, unknown> },
    elements as never,
  ) as unknown as Record<string, unknown>;
}

function dedupeLinks(links: { name: string; url: string }[]) {
  const seen = new Set<string>();
  return links.filter((l) => (seen.has(l.name) ? false : (seen.add(l.name), true)));
}

/** The storm card: one per chat per window, listing the incidents that did not get their own card. */
export function summaryCard(incidents: Incident[], windowMs: number): Record<string, unknown> {
  const open = incidents.filter((i) => i.status !== 'resolved');
  const lines = incidents.slice(0, 40).map((i) => `${i.status === 'resolved' ? '🟢' : i.ackedBy.length ? '👀' : '🔴'} \`#${i.id}\` **${esc(clip(i.title, 100))}** · ${i.severity} · ${i.status === 'resolved' ? 'resolved' : `${i.firing} firing`}`);
  return card2(
    {
      header: header(`Alert storm: ${incidents.length} more incidents`, { template: open.length ? 'red' : 'green', subtitle: `${open.length} open · cards paused for ${Math.round(windowMs / 1000)} s so this chat stays readable` }),
      config: { update_multi: true } as Record<string, unknown>,
    },
    [
      markdown(lines.join('\n') + (incidents.length > 40 ? `\n…and ${incidents.length - 40} more (\`feishu-hub incidents --open\`)` : '')),
      ...(open.length ? [button(`Acknowledge all ${open.length}`, { type: 'primary', action: 'alerts.ack_all', value: { ids: open.slice(0, 40).map((i) => i.id) } })] : []),
      footnote('Act on one with /ack <id>, /resolve <id> or /incidents'),
    ] as never,
  ) as unknown as Record<string, unknown>;
}
