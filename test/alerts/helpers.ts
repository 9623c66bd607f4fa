import type { MessageRecord } from '../../src/emulator/index.js';
import type { TestHub } from '../../src/testing/index.js';

export const ALERTS_TOKEN = 'alerts-test-token-0123456789abcdef';
/** The generic source's second credential (rotation). */
export const NEXT_TOKEN = 'alerts-next-token-abcdef0123456789';

/** Sets the env variables `sources()` names (in beforeAll); `clearAlertTokens` removes them (in afterAll). */
export function setAlertTokens(): void {
  process.env.ALERTS_TEST_TOKEN = ALERTS_TOKEN;
  process.env.ALERTS_TEST_TOKEN_NEXT = NEXT_TOKEN;
}
export function clearAlertTokens(): void {
  delete process.env.ALERTS_TEST_TOKEN;
  delete process.env.ALERTS_TEST_TOKEN_NEXT;
}

export async function until<T>(cond: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<Exclude<NonNullable<T>, false | 0 | ''>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v as Exclude<NonNullable<T>, false | 0 | ''>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Posts a payload to a source of the hub; answers status and body. */
export async function post(hubUrl: string, source: string, body: unknown, auth: string | null = `Bearer ${ALERTS_TOKEN}`, raw?: string) {
  const res = await fetch(`${hubUrl}/alerts/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: raw ?? JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

/** The bot's interactive cards in a chat (parsed), oldest first. */
export function cardsIn(t: TestHub, chatId = t.chatId): (MessageRecord & { card: Record<string, any> })[] {
  return t
    .messages(chatId)
    .filter((m) => m.msg_type === 'interactive' && m.sender.sender_type === 'app' && !m.deleted)
    .map((m) => ({ ...m, card: JSON.parse(m.content) }));
}

export const titleOf = (card: Record<string, any>) => String(card.header?.title?.content ?? '');
export const colourOf = (card: Record<string, any>) => String(card.header?.template ?? '');
/** Every text of a card, for "does it say X" checks. */
export const textOf = (card: unknown): string => JSON.stringify(card);

export const sources = (extra: Record<string, unknown> = {}) => ({
  alertmanager: { credentials: [{ token_env: 'ALERTS_TEST_TOKEN' }] },
  grafana: { credentials: [{ username: 'grafana', password_env: 'ALERTS_TEST_TOKEN' }] },
  generic: { credentials: [{ token_env: 'ALERTS_TEST_TOKEN' }, { token_env: 'ALERTS_TEST_TOKEN_NEXT' }] },
  ...extra,
});
