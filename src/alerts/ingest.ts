import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../config/index.js';
import type { Inbox } from '../store/index.js';
import { SOURCE_NAMES, type SourceName } from './config.js';
import { authorized, type SourceCredentials } from './credentials.js';
import { AlertPayloadError, parseAlertmanager, parseGeneric, parseGrafana, type AlertBatch } from './sources/index.js';

/** The inbox event type alert batches are stored under (the capability's listener takes them from there). */
export const ALERT_BATCH_EVENT = 'feishu_hub.alerts.batch';

export interface IngestOptions {
  inbox: Inbox;
  credentials: SourceCredentials;
  logger: Logger;
  bodyLimit: number;
  now?: () => number;
}

/** Parses a source's body; the inbox id makes a re-sent payload (Alertmanager's retries, HA twins) a duplicate. */
export function parseSourceBody(source: SourceName, body: unknown, raw: Buffer, receivedAt: number): { batch: AlertBatch; id: string } {
  if (source === 'generic') {
    const { batch, eventId } = parseGeneric(body, receivedAt);
    return { batch, id: `alerts:generic:${eventId}` };
  }
  const batch = source === 'alertmanager' ? parseAlertmanager(body, receivedAt) : parseGrafana(body, receivedAt);
  return { batch, id: `alerts:${source}:${createHash('sha256').update(raw).digest('hex').slice(0, 40)}` };
}

/** Puts a parsed batch in the inbox, where the capability's listener takes it from. */
export function storeBatch(inbox: Inbox, parsed: { batch: AlertBatch; id: string }) {
  return inbox.put({ id: parsed.id, type: ALERT_BATCH_EVENT, source: 'webhook', payload: { event: parsed.batch } });
}

/**
 * `POST /alerts/:source`: authenticate, validate (400 naming the field), store the batch in the
 * durable inbox (committed, and on SQLite fsynced, before the answer), then 200. Processing
 * happens from the inbox, so a crash after the answer loses nothing.
 */
export async function registerIngestRoutes(app: FastifyInstance, o: IngestOptions): Promise<void> {
  const now = o.now ?? Date.now;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: o.bodyLimit }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      o.logger.warn({ route: req.url, ip: req.ip, status: 413, limit: o.bodyLimit }, 'alert payload rejected: larger than alerts.body_limit_bytes');
      return reply.status(413).send({ status: 'error', error: `body larger than ${o.bodyLimit} bytes (alerts.body_limit_bytes)` });
    }
    o.logger.error({ route: req.url, err }, 'alert ingest failed');
    return reply.status(err.statusCode && err.statusCode < 600 ? err.statusCode : 500).send({ status: 'error', error: 'internal error' });
  });

  const handle = async (req: FastifyRequest<{ Params: { source: string } }>, reply: FastifyReply) => {
    const source = req.params.source as SourceName;
    const accepted = SOURCE_NAMES.includes(source) ? o.credentials.get(source) : undefined;
    const log = o.logger.child({ source: req.params.source, ip: req.ip });
    if (!accepted) {
      log.warn({ status: 404 }, `alert source "${req.params.source}" is not configured (alerts.sources)`);
      return reply.status(404).send({ status: 'error', error: `no alert source "${req.params.source}" here; configured: ${[...o.credentials.keys()].join(', ') || 'none'}` });
    }
    if (!authorized(accepted, req.headers.authorization)) {
      log.warn({ status: 401, reason: req.headers.authorization ? 'credential not accepted' : 'no Authorization header' }, 'alert payload rejected');
      return reply.status(401).header('www-authenticate', 'Bearer, Basic realm="feishu-hub alerts"').send({ status: 'error', error: 'missing or wrong credential' });
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      log.warn({ status: 400, bytes: raw.length }, 'alert payload rejected: not JSON');
      return reply.status(400).send({ status: 'error', error: 'body is not JSON' });
    }
    let parsed: { batch: AlertBatch; id: string };
    try {
      parsed = parseSourceBody(source, body, raw, now());
    } catch (err) {
      if (!(err instanceof AlertPayloadError)) throw err;
      log.warn({ status: 400, field: err.field, problem: err.problem }, 'alert payload rejected');
      return reply.status(400).send({ status: 'error', field: err.field, error: err.message });
    }
    const result = await storeBatch(o.inbox, parsed);
    log.debug({ id: parsed.id, alerts: parsed.batch.alerts.length, result }, 'alert batch stored');
    return reply.status(200).send({ status: 'accepted', duplicate: result === 'duplicate', alerts: parsed.batch.alerts.length });
  };
  app.post<{ Params: { source: string } }>('/alerts/:source', handle);
}
