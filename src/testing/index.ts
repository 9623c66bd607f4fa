import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { EmulatorHandle, MessageRecord, UserRecord } from '../emulator/index.js';
import { startHub, type StartOptions } from '../sandbox/index.js';
import type { Hub } from '../server/index.js';

export interface BotReply {
  messageId: string;
  msgType: string;
  /** Parsed send-side content (`{text}`, a card, …). */
  content: Record<string, unknown>;
  /** `content.text` for text replies. */
  text?: string;
}

export interface TestHub {
  hub: Hub;
  emulator: EmulatorHandle;
  /** The demo group (bot, Alice, Bob, Carol). */
  chatId: string;
  /** Seeded users by user_id: alice, bob, carol, dave, erin, frank. */
  users: Record<string, UserRecord>;
  /**
   * Writes as a user (Alice by default) in the demo group — a leading `/command` is addressed to the bot —
   * and resolves with the bot's messages that answer it once they stop arriving (`count`: wait for at
   * least that many first, for a listener that answers more than once).
   */
  say(text: string, options?: { as?: string; chatId?: string; p2p?: boolean; waitMs?: number; count?: number }): Promise<BotReply[]>;
  /** Clicks a card element as a user; resolves with the emulator's answer (toast, card_updated). */
  click(messageId: string, value: unknown, options?: { as?: string; formValue?: Record<string, unknown> }): Promise<Record<string, unknown>>;
  /** Messages of a chat, oldest first. */
  messages(chatId?: string): MessageRecord[];
  close(): Promise<void>;
}

/**
 * A hub wired to an in-process emulator, for testing an app offline.
 *
 * @example
 * const t = await createTestHub({ setup: (hub) => hub.command('/deploy', ({ args, reply }) => reply.text(`deploying ${args[0]}`)) });
 * expect((await t.say('/deploy api'))[0].text).toBe('deploying api');
 * await t.close();
 */
export async function createTestHub(options: StartOptions & { eventMode?: 'webhook' | 'websocket' } = {}): Promise<TestHub> {
  const { eventMode, ...startOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-test-'));
  const loaded = loadConfig({
    env: {},
    file: undefined,
    overrides: { HUB_PORT: 0, FEISHU_EMULATOR_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'silent', FEISHU_EVENT_MODE: eventMode ?? 'webhook' },
  });
  // The project's feishu-hub.yaml gives the capability sections under test; its Feishu app (if any) is never used here.
  const config = { ...loaded, sandbox: true, app: { encryptKeys: [], verificationTokens: [] } };
  const running = await startHub(config, startOptions);
  const emulator = running.emulator!;
  const users = Object.fromEntries(emulator.state.users.map((u) => [u.user_id, u]));
  const demo = [...emulator.state.chats.values()].find((c) => c.name === 'feishu-hub demo')!;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const messages = (chatId = demo.chat_id) => [...emulator.state.messages.values()].filter((m) => m.chat_id === chatId).sort((a, b) => a.create_time - b.create_time);

  return {
    hub: running.hub,
    emulator,
    chatId: demo.chat_id,
    users,
    messages,
    async say(text, o = {}) {
      const sender = users[o.as ?? 'alice'];
      if (!sender) throw new Error(`unknown user ${o.as}; seeded users: ${Object.keys(users).join(', ')}`);
      const addressed = !o.p2p && text.startsWith('/') ? `@_bot ${text}` : text;
      const sent = o.p2p
        ? await post(`/__emulator/users/${sender.open_id}/messages`, { text })
        : await post(`/__emulator/chats/${o.chatId ?? demo.chat_id}/messages`, { sender: sender.open_id, text: addressed });
      const messageId = sent.message_id as string;
      return waitForReplies(() => [...emulator.state.messages.values()].filter((m) => m.parent_id === messageId || m.root_id === messageId), o.waitMs ?? 3000, o.count ?? 1);
    },
    async click(messageId, value, o = {}) {
      const operator = users[o.as ?? 'alice'].open_id;
      return post(`/__emulator/messages/${messageId}/actions`, { operator, value, ...(o.formValue ? { form_value: o.formValue } : {}) });
    },
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for the first reply, then until no new one arrived for a short quiet period. */
async function waitForReplies(find: () => MessageRecord[], timeoutMs: number, count: number): Promise<BotReply[]> {
  const deadline = Date.now() + timeoutMs;
  const QUIET_MS = 150;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const found = find().filter((m) => m.sender.sender_type === 'app');
    if (found.length !== last) {
      last = found.length;
      stableSince = Date.now();
    }
    const quiet = Date.now() - stableSince >= QUIET_MS;
    if ((found.length >= count && quiet) || Date.now() > deadline) {
      return found
        .sort((a, b) => a.create_time - b.create_time)
        .map((m) => {
          const content = JSON.parse(m.content) as Record<string, unknown>;
          return { messageId: m.message_id, msgType: m.msg_type, content, text: typeof content.text === 'string' ? content.text : undefined };
        });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
