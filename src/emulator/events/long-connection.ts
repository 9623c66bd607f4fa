import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame, FrameMethod, header, type Frame } from './pbbp2.js';

export const WS_PATH = '/callback/ws';

/** What the platform tells clients (seconds), and repeats in every pong. */
export const CLIENT_CONFIG = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 };

/** Events bigger than this go out in several frames (sum/seq), as the platform splits large pushes. */
const FRAGMENT_BYTES = 64 * 1024;

export interface AckResult {
  /** The ack's `code` (200 = handled, 500 = the handler threw). */
  code?: number;
  /** The ack's `data`, base64-decoded (a card callback's answer). */
  data?: string;
  error?: 'timeout' | 'closed';
  duration_ms: number;
}

interface Connection {
  id: string;
  appId: string;
  ws: WebSocket;
  serviceId: number;
  connectedAt: number;
  pings: number;
  pending: Map<string, (r: Omit<AckResult, 'duration_ms'>) => void>;
}

/**
 * The long-connection gateway (`WSClient` mode): endpoint discovery hands out a ticketed
 * ws:// URL, clients ping, events go out as data frames and come back as acks.
 * One random open connection of an app receives each event ("cluster mode").
 */
export class LongConnections {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  private readonly tickets = new Map<string, { appId: string; serviceId: number }>();
  private readonly conns = new Map<string, Connection>();
  private seq = 1;

  constructor(private readonly now: () => number) {}

  /** Takes over HTTP upgrades of WS_PATH on the emulator's server. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname !== WS_PATH) {
        // Leave other paths to other listeners; if there are none, do not leave the socket hanging.
        if (server.listenerCount('upgrade') === 1) socket.destroy();
        return;
      }
      const ticket = this.tickets.get(url.searchParams.get('ticket') ?? '');
      if (!ticket) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket.appId, ticket.serviceId));
    });
  }

  /** The answer of `POST /callback/ws/endpoint` for an authenticated app. */
  endpoint(appId: string, baseUrl: string) {
    const ticket = randomBytes(16).toString('hex');
    const serviceId = 100000 + Math.floor(Math.random() * 900000);
    this.tickets.set(ticket, { appId, serviceId });
    const wsBase = baseUrl.replace(/^http/, 'ws');
    const deviceId = randomBytes(8).toString('hex');
    // device_id must not come first: the SDK runs qs.parse over the whole URL, so the first key swallows the prefix.
    const url = `${wsBase}${WS_PATH}?fpid=1&aid=${encodeURIComponent(appId)}&device_id=${deviceId}&access_key=${randomBytes(8).toString('hex')}&service_id=${serviceId}&ticket=${ticket}`;
    return { URL: url, ClientConfig: { ...CLIENT_CONFIG } };
  }

  has(appId: string): boolean {
    for (const c of this.conns.values()) if (c.appId === appId && c.ws.readyState === c.ws.OPEN) return true;
    return false;
  }

  list() {
    return [...this.conns.values()].map((c) => ({ id: c.id, app_id: c.appId, connected_at: c.connectedAt, pings: c.pings, pending_acks: c.pending.size }));
  }

  /** Sends a plaintext event JSON to one of the app's connections and waits for the ack. */
  deliver(appId: string, payload: string, timeoutMs: number): Promise<AckResult> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    const open = [...this.conns.values()].filter((c) => c.appId === appId && c.ws.readyState === c.ws.OPEN);
    if (open.length === 0) return Promise.resolve({ error: 'closed', duration_ms: 0 });
    const conn = open[Math.floor(Math.random() * open.length)];
    const messageId = randomBytes(12).toString('hex');
    const traceId = randomBytes(8).toString('hex');
    const bytes = Buffer.from(payload, 'utf8');
    const parts: Buffer[] = [];
    for (let i = 0; i < bytes.length || i === 0; i += FRAGMENT_BYTES) parts.push(bytes.subarray(i, i + FRAGMENT_BYTES));
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle({ error: 'timeout' }), timeoutMs);
      const settle = (r: Omit<AckResult, 'duration_ms'>) => {
        clearTimeout(timer);
        conn.pending.delete(messageId);
        resolve({ ...r, duration_ms: elapsed() });
      };
      conn.pending.set(messageId, settle);
      parts.forEach((part, i) => {
        const seq = this.seq++;
        const frame: Frame = {
          SeqID: seq,
          LogID: seq,
          service: conn.serviceId,
          method: FrameMethod.data,
          headers: [
            { key: 'type', value: 'event' },
            { key: 'message_id', value: messageId },
            { key: 'sum', value: String(parts.length) },
            { key: 'seq', value: String(i) },
            { key: 'trace_id', value: traceId },
          ],
          payload: part,
        };
        conn.ws.send(encodeFrame(frame));
      });
    });
  }

  async close(): Promise<void> {
    for (const c of this.conns.values()) {
      for (const settle of c.pending.values()) settle({ error: 'closed' });
      c.ws.terminate();
    }
    this.conns.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private accept(ws: WebSocket, appId: string, serviceId: number): void {
    const conn: Connection = { id: randomBytes(6).toString('hex'), appId, ws, serviceId, connectedAt: this.now(), pings: 0, pending: new Map() };
    this.conns.set(conn.id, conn);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      let frame: Frame;
      try {
        frame = decodeFrame(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
      } catch {
        return; // Garbage is ignored, as a gateway would.
      }
      this.onFrame(conn, frame);
    });
    ws.on('close', () => {
      for (const settle of conn.pending.values()) settle({ error: 'closed' });
      this.conns.delete(conn.id);
    });
    ws.on('error', () => ws.terminate());
  }

  private onFrame(conn: Connection, frame: Frame): void {
    const type = header(frame, 'type');
    if (frame.method === FrameMethod.control) {
      if (type !== 'ping') return;
      conn.pings++;
      const pong: Frame = {
        SeqID: frame.SeqID,
        LogID: frame.LogID,
        service: frame.service,
        method: FrameMethod.control,
        headers: [{ key: 'type', value: 'pong' }],
        payload: Buffer.from(JSON.stringify(CLIENT_CONFIG)),
      };
      conn.ws.send(encodeFrame(pong));
      return;
    }
    // A data frame from the client is the ack of one of our events: same headers, JSON payload {code, data?}.
    const settle = conn.pending.get(header(frame, 'message_id') ?? '');
    if (!settle) return;
    try {
      const ack = JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8')) as { code?: number; data?: string };
      settle({ code: ack.code, data: typeof ack.data === 'string' ? Buffer.from(ack.data, 'base64').toString('utf8') : undefined });
    } catch {
      settle({ code: 500 });
    }
  }
}
