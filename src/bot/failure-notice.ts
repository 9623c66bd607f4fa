import { Counter, type Registry } from 'prom-client';
import { FeishuApiError } from '../platform/index.js';
import { text } from './content.js';
import type { MessageContext } from './context.js';
import { uuidFrom } from './messenger.js';

const describe = (err: unknown) => (err instanceof FeishuApiError ? `${err.code} ${err.msg}` : (err as Error)?.message ?? String(err));

/**
 * A listener failed on a message: the user gets one short apology with a reference (uuid per
 * event, so retries never repeat it). When the chat refuses it for good (e.g. 230002, the bot was
 * removed), the apology goes to the user in p2p; when that fails too, the failure is counted and
 * noted on the event (the dead letter says the user was not told). Returns that note.
 */
export function tellUserOfFailure(metrics: Registry): (m: MessageContext) => Promise<string | void> {
  const untold = new Counter({
    name: 'feishu_hub_user_notice_failures_total',
    help: 'Failed requests whose user could not be told, neither in the chat nor in p2p',
    registers: [metrics],
  });
  return async (m) => {
    const apology = text(`Sorry, something went wrong while handling that. The team can look it up with reference ${m.eventId.slice(0, 12)}.`);
    let inChat: unknown;
    try {
      await m.messenger.reply(m.message.id, apology, { uuid: uuidFrom(m.eventId, 'apology') });
      return;
    } catch (err) {
      inChat = err;
    }
    // A transient failure is retried with the event; only a refusal for good goes to p2p (else the user could be told twice).
    const refused = inChat instanceof FeishuApiError && !inChat.retryable;
    if (!refused) {
      m.logger.warn({ err: inChat }, 'could not tell the user about the failure yet; the event is retried');
      return `the user was not told yet (in the chat: ${describe(inChat)})`;
    }
    const openId = m.sender.openId;
    if (openId && m.message.chatType !== 'p2p') {
      try {
        await m.messenger.send({ open_id: openId }, apology, { uuid: uuidFrom(m.eventId, 'apology', 'p2p') });
        m.logger.warn({ chat_id: m.message.chatId, reason: describe(inChat) }, 'the chat refused the answer; told the user in p2p instead');
        return `the chat refused the answer (${describe(inChat)}); the user was told in p2p`;
      } catch (p2p) {
        untold.inc();
        m.logger.error({ err: p2p, chat_id: m.message.chatId, open_id: openId }, 'the user could not be told about the failure, neither in the chat nor in p2p');
        return `the user could not be told: in the chat ${describe(inChat)}, in p2p ${describe(p2p)}`;
      }
    }
    untold.inc();
    m.logger.error({ err: inChat, chat_id: m.message.chatId }, 'the user could not be told about the failure');
    return `the user could not be told: ${describe(inChat)}`;
  };
}
