import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = resolve(ROOT, 'bin/feishu-hub.js');

/** The environment without the developer's FEISHU_* / HUB_* / database settings (sandbox mode). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(FEISHU_|HUB_|REDIS_URL|DATABASE_URL|npm_)/.test(k)));
  return { ...clean, LOG_LEVEL: 'warn', ...extra };
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** Can we listen on the port (nobody holds it)? */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

export interface Running {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves once the output matches (from `from` on), rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code and signal once the process and every holder of its pipes are gone. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a long-running command and collects its output. */
export function start(command: string, args: string[], options: SpawnOptions = {}): Running {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const onData = (which: 'out' | 'err') => (d: Buffer) => {
    out += d;
    if (which === 'out') stdout += d;
    else stderr += d;
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData('out'));
  child.stderr!.on('data', onData('err'));
  let exited = false;
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('close', (code, signal) => {
      exited = true;
      for (const l of listeners) l();
      res({ code, signal });
    }),
  );
  return {
    child,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    closed,
    waitFor(pattern, timeoutMs = 30_000, from = 0) {
      return new Promise((res, rej) => {
        const check = () => {
          const m = out.slice(from).match(pattern);
          if (m) return done(() => res(m));
          if (exited) return done(() => rej(new Error(`exited before ${pattern} was printed; output:\n${out}`)));
        };
        const timer = setTimeout(() => done(() => rej(new Error(`timed out waiting for ${pattern}; output:\n${out}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs a command to its end. */
export async function run(command: string, args: string[], options: SpawnOptions = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; output: string }> {
  const r = start(command, args, options);
  const { code, signal } = await r.closed;
  return { code, signal, stdout: r.stdout(), stderr: r.stderr(), output: r.output() };
}

/** Polls until `probe` answers something truthy. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `feishu-hub serve` with no config in a fresh temporary folder (the sandbox as a newcomer meets
 * it): free hub and local Feishu ports, its own SQLite database there. `cli` runs another
 * `feishu-hub` command in the same folder with the same environment. Use as
 * `beforeAll(sandbox.start, 40_000); afterAll(sandbox.stop)`.
 */
export function sandboxServe(tmpPrefix: string) {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  let hub: Running | undefined;
  let env: NodeJS.ProcessEnv = {};
  let emulatorUrl = '';
  return {
    dir,
    /** The `serve` process (once `start` resolved). */
    get hub(): Running {
      if (!hub) throw new Error('the sandbox hub is not started');
      return hub;
    },
    get emulatorUrl() {
      return emulatorUrl;
    },
    cli: (args: string[]) => run(process.execPath, [BIN, ...args], { cwd: dir, env }),
    /** Starts the hub and resolves once its /readyz answers. */
    async start() {
      const [hubPort, emuPort] = [await freePort(), await freePort()];
      emulatorUrl = `http://127.0.0.1:${emuPort}`;
      env = cleanEnv({ HUB_PORT: String(hubPort), FEISHU_EMULATOR_PORT: String(emuPort), DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, FEISHU_HUB_CONFIG: '' });
      hub = start(process.execPath, [BIN, 'serve'], { cwd: dir, env });
      await eventually(async () => (await fetch(`http://127.0.0.1:${hubPort}/readyz`).catch(() => undefined))?.ok, 30_000, 'the hub to be ready');
    },
    /** SIGTERM, its exit awaited, the folder removed. */
    async stop() {
      hub?.child.kill('SIGTERM');
      await new Promise((r) => hub?.child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface EmulatorState {
  chats: { chat_id: string; name: string }[];
  users: { open_id: string; user_id: string; name: string }[];
  messages: { message_id: string; chat_id: string; parent_id?: string; msg_type: string; content: string; sender: { sender_type: string; id: string } }[];
  calls: { method: string; path: string; status: number; code?: number }[];
}

/** The emulator's control API, for tests that only have its URL (it runs in another process). */
export function emulatorAt(url: string) {
  const json = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  };
  const state = () => json('GET', '/__emulator/state') as Promise<EmulatorState>;
  return {
    state,
    json,
    /** A user writes in a chat; answers the new message's id. */
    async say(chatId: string, sender: string, text: string): Promise<string> {
      return ((await json('POST', `/__emulator/chats/${chatId}/messages`, { sender, text })) as { message_id: string }).message_id;
    },
    /** The texts of the bot's answers to a message, once there is one. */
    async replyTo(messageId: string, timeoutMs = 10_000): Promise<string[]> {
      return eventually(
        async () => {
          const s = await state();
          const replies = s.messages.filter((m) => m.parent_id === messageId && m.sender.sender_type === 'app');
          return replies.length ? replies.map((m) => String(JSON.parse(m.content).text ?? m.msg_type)) : undefined;
        },
        timeoutMs,
        `the bot's reply to ${messageId}`,
      );
    },
  };
}
