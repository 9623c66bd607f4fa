import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { JSON_TYPE, receiverCore, type ReceiverOptions } from './receiver.js';

export interface EventRequestHandlerOptions {
  /** As Fastify's `trustProxy: true`: the logged ip is the first X-Forwarded-For address. */
  trustProxy?: boolean;
}

/**
 * `POST /webhook/event` straight on node:http, without Fastify's routing, content-type parsing and
 * reply machinery (about a third of the receiver's CPU per event). The checks, storage, answers
 * and logs are the plugin's own (`receiverCore`, shared by passing the same options object, so
 * both paths share one nonce cache). Returns false, touching nothing, for any request it does not
 * take: other paths and methods, non-JSON types, chunked or oversized bodies — Fastify answers those.
 *
 * @example
 * const receiverOptions = { inbox, logger, encryptKeys, verificationTokens };
 * const fastPath = createEventRequestHandler(receiverOptions);
 * const app = Fastify({ serverFactory: (handler) => createServer(withFastPath(fastPath, handler)) });
 * await app.register(inboundReceiver, receiverOptions);
 */
export function createEventRequestHandler(options: ReceiverOptions, http: EventRequestHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const core = receiverCore(options);
  const { eventPath, bodyLimit } = core;
  const queryPrefix = eventPath + '?';

  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  return (req, res) => {
    const receivedAt = Date.now();
    const url = req.url;
    if (req.method !== 'POST' || url === undefined || (url !== eventPath && !url.startsWith(queryPrefix))) return false;
    const headers = req.headers;
    const type = headers['content-type'];
    if (type === undefined || !type.startsWith('application/json')) return false;
    const declared = headers['content-length'];
    if (declared === undefined || headers['transfer-encoding'] !== undefined) return false;
    const length = Number(declared);
    // Oversized (413) and odd lengths keep Fastify's handling and wording.
    if (!Number.isSafeInteger(length) || length > bodyLimit || length < 0) return false;

    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    req.on('error', () => {
      // Aborted by the client: nobody is left to answer.
    });
    req.on('end', () => {
      const ip = clientIp(req, http.trustProxy);
      if (received !== length) {
        core.logger.warn({ route: url, ip, status: 400, reason: 'Request body size did not match Content-Length' }, 'inbound push rejected');
        return send(res, 400, '{"msg":"bad request"}');
      }
      const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      void core.answer(raw, headers, url, ip, receivedAt).then((a) => send(res, a.status, a.body));
    });
    return true;
  };
}

/** A node:http listener trying `fastPath` first, then Fastify's own handler (for `serverFactory`). */
export function withFastPath(fastPath: (req: IncomingMessage, res: ServerResponse) => boolean, fallback: RequestListener): RequestListener {
  return (req, res) => {
    if (!fastPath(req, res)) fallback(req, res);
  };
}

function clientIp(req: IncomingMessage, trustProxy: boolean | undefined): string | undefined {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress;
}
