import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCall {
  headers: IncomingHttpHeaders;
  body: string;
  answeredWith: number;
}

/**
 * A downstream system on 127.0.0.1: `answer(n)` gives the HTTP status for the n-th call (0-based);
 * 0 means hang (never answer, for timeouts).
 */
export async function startDownstream(answer: (n: number) => number): Promise<{ url: string; port: number; calls: ReceivedCall[]; close(): Promise<void> }> {
  const calls: ReceivedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = answer(calls.length);
      calls.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answeredWith: status });
      if (status === 0) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/approval`,
    port,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
