import { defineCapability } from '../capability/index.js';
import { FeishuApiError } from './errors.js';
import type { Platform } from './platform.js';

/** Why the platform cannot be used, in one line that names the cause and what to do. */
export function describeTokenFailure(err: unknown, domain: string): string {
  if (err instanceof FeishuApiError) {
    const { meaning, action } = err.explain();
    if (err.code < 0) return `cannot reach Feishu at FEISHU_DOMAIN=${domain}: ${err.msg}. ${action}`;
    return `Feishu refused the app's credentials (code ${err.code}: ${err.msg}). ${meaning} ${action}`;
  }
  return `cannot get a tenant access token from ${domain}: ${(err as Error)?.message ?? String(err)}`;
}

async function checkToken(platform: Platform): Promise<void> {
  if (platform.tokens.appType === 'store') return; // a store app's token needs an app_ticket first
  try {
    await platform.tokens.tenantToken();
  } catch (err) {
    throw new Error(describeTokenFailure(err, platform.domain));
  }
}

/**
 * The platform's part of the intake: keeps the app_ticket of store apps, learns which chat a
 * message id belongs to (per-chat rate limits for replies), tells permanent Feishu refusals from
 * transient ones, and checks at start that the app can get a token (saying why not).
 */
export const platformCapability = defineCapability({
  name: 'platform',
  scopes: [{ api: 'POST /open-apis/auth/v3/tenant_access_token/internal', scopes: [], why: 'get the tenant access token' }],
  setup({ use, permanentError, onStart, platform, logger }) {
    use(async (ctx, next) => {
      if (ctx.type === 'app_ticket' && typeof ctx.event.app_ticket === 'string') await platform.tokens.setAppTicket(ctx.event.app_ticket);
      const message = ctx.type === 'im.message.receive_v1' ? (ctx.event.message as { message_id?: unknown; chat_id?: unknown } | undefined) : undefined;
      if (typeof message?.message_id === 'string' && typeof message.chat_id === 'string') platform.recipients.remember(message.message_id, message.chat_id);
      await next();
    });
    permanentError((err) => err instanceof FeishuApiError && !err.retryable);
    // Not awaited: an unreachable domain must not hold up the start; the line comes as soon as the cause is known.
    onStart(() => {
      checkToken(platform).catch((err: unknown) => logger.error(`FEISHU NOT USABLE: ${(err as Error).message} (the hub keeps running; /readyz says not ready until this is fixed)`));
    });
  },
  health: [{ name: 'feishu', check: ({ platform }) => checkToken(platform) }],
});
