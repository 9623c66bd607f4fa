import { createHash } from 'node:crypto';
import { DEFAULT_TENANT_KEY } from '../options.js';
import type { ChatRecord, UserRecord } from '../types.js';
import { chatRecord } from './chat-record.js';

/** Deterministic hex from a name, so the seeded ids are the same in every run, doc and test. */
const stable = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);

/** The demo group's chat id, the same in every run (sandbox demos post there). */
export const DEMO_CHAT_ID = `oc_${stable('chat:demo', 32)}`;

/** The demo group: the bot, Alice, Bob and Carol. */
export function seedChats(appId: string, users: UserRecord[], now: number, tenantKey = DEFAULT_TENANT_KEY): ChatRecord[] {
  const byKey = (k: string) => users.find((u) => u.user_id === k)!.open_id;
  return [
    chatRecord(
      {
        chat_id: DEMO_CHAT_ID,
        name: 'feishu-hub demo',
        description: 'A group where the bot answers /help and /ping',
        owner_id: byKey('alice'),
        tenant_key: tenantKey,
        members: [byKey('alice'), byKey('bob'), byKey('carol')],
        bots: [appId],
        creator: byKey('alice'),
      },
      now,
    ),
  ];
}
