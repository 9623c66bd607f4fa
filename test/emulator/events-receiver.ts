import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the emulator pushed, as the receiving app saw it on the wire. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The exact body bytes, for signature checks. */
  raw: string;
  json: any;
}

export type Answer = { status?: number; body?: string };

/**
 * A stand-in app server on 127.0.0.1:0 that records every push and answers with
 * `answer(request)` (default: HTTP 200 `{}`).
 */
export async function startReceiver(answer: (r: Received) => Answer | Promise<Answer> = () => ({})) {
  const received: Received[] = [];
  let respond = answer;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: any;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const r: Received = { path: req.url ?? '/', headers: req.headers, raw, json };
      received.push(r);
      const a = await respond(r);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
      res.end(a.body ?? '{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    answerWith(fn: typeof answer) {
      respond = fn;
    },
    /** Resolves once `n` requests have arrived (or rejects after `ms`). */
    async waitFor(n: number, ms = 5000) {
      return waitUntil(() => received.length >= n, ms, () => `expected ${n} pushes, got ${received.length}`).then(() => received);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Polls a condition (async work elsewhere) until it holds; not a timing assertion. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, ms = 5000, why: () => string = () => 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${why()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
