/**
 * One server under test for bench/inbound.bench.ts, in its own process:
 * `node bin/run-ts.js bench/inbound-server.ts <hub|hub-normal|bare|sdk|fastify> <encryptKey> <token>`.
 * Prints `READY <port>` and serves until killed. Started with an IPC channel, it also runs load
 * commands (bench/inbound-load.ts) against itself on request: the generator in the same process.
 *   hub   our receiver: signature + decryption + durable SQLite inbox (WAL fdatasync before the 200, group commit)
 *   hub-normal  the same with ?synchronous=normal: survives a crash of the process, not of the machine
 *   bare  node:http answering 200 {} after reading the body (the ceiling)
 *   sdk   the official SDK's EventDispatcher (encryptKey set) behind express (the peer)
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

const [kind, encryptKey, token] = process.argv.slice(2);
let port = 0;

if (kind === 'bare') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
} else if (kind === 'sdk') {
  const lark = await import('@larksuiteoapi/node-sdk');
  const express = (await import('express')).default;
  const dispatcher = new lark.EventDispatcher({ encryptKey, verificationToken: token, loggerLevel: lark.LoggerLevel.error }).register({
    'im.message.receive_v1': async () => 'ok',
  });
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.post('/webhook/event', lark.adaptExpress(dispatcher, { autoChallenge: true }));
  const server = await new Promise<ReturnType<typeof app.listen>>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  port = (server.address() as AddressInfo).port;
} else if (kind === 'fastify') {
  // Reference only: Fastify reading the body as a Buffer and answering {} (the framework's own cost).
  const Fastify = (await import('fastify')).default;
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhook/event', async () => ({}));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
} else if (kind === 'hub' || kind === 'hub-normal') {
  const Fastify = (await import('fastify')).default;
  const { inboundReceiver, createEventRequestHandler, withFastPath } = await import('../src/events/index.js');
  const { Inbox, openDatabase } = await import('../src/store/index.js');
  const { createLogger } = await import('../src/config/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-bench-'));
  // hub-normal: `?synchronous=normal`, durable against a crash of the process but not of the machine.
  const sync = kind === 'hub-normal' ? 'normal' : process.env.BENCH_SQLITE_SYNC;
  const store = await openDatabase(`sqlite:${join(dir, 'hub.db')}${sync ? `?synchronous=${sync}` : ''}`);
  const inbox = new Inbox(store);
  // As src/server/runtime.ts: POST /webhook/event on the raw node:http fast path, the rest through Fastify.
  const receiverOptions = { inbox, logger: createLogger({ level: 'warn' }), encryptKeys: [encryptKey], verificationTokens: [token] };
  const fastPath = createEventRequestHandler(receiverOptions);
  const app = Fastify({ logger: false, serverFactory: (handler) => createServer(withFastPath(fastPath, handler)) });
  await app.register(inboundReceiver, receiverOptions);
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
} else {
  console.error('usage: inbound-server.ts <hub|bare|sdk> <encryptKey> <token>');
  process.exit(2);
}
if (process.send) {
  const { runLoad } = await import('./inbound-load.js');
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // The orchestrator is gone (killed, crashed): do not outlive it, holding a port and a core.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (cmd: any) => {
    try {
      process.send!({ ok: true, result: await runLoad(port, cmd, cpuMs) });
    } catch (err) {
      process.send!({ ok: false, error: String(err) });
    }
  });
}
process.stdout.write(`READY ${port}\n`);
process.on('SIGINT', () => process.exit(0));
