export interface CodeExplanation {
  /** What the code means, in one sentence. */
  meaning: string;
  /** What to do about it, in one sentence. */
  action: string;
}

type Entry = [meaning: string, action: string];

/**
 * The codes people meet most, in plain words. Sources: the platform's general error table,
 * the IM/chat API pages, and larksuite/cli's curated list (see shared/reference/feishu-api.md).
 */
const TABLE: Record<number, Entry> = {
  [-1]: ['The request did not reach Feishu (connection refused, reset or DNS failure).', 'Check FEISHU_DOMAIN, the network and any proxy, then try again.'],
  [-2]: ['Feishu did not answer within the timeout.', 'Try again; if it persists, check the network or raise the timeout.'],
  [-3]: ['An HTTP error without a Feishu answer (often a proxy or gateway page).', 'Check FEISHU_DOMAIN and any proxy between you and Feishu.'],
  10003: ['Invalid parameters for the token request (app_id/app_secret missing or unknown).', 'Check FEISHU_APP_ID and FEISHU_APP_SECRET.'],
  10012: ['The app_ticket is missing or expired (store apps).', 'Wait for the next app_ticket event or call app_ticket/resend; check the event URL receives it.'],
  10014: ['The app is disabled or not authorised.', 'Enable the app in the developer console and check it is installed in the tenant.'],
  10015: ['Wrong app secret.', 'Copy the App Secret again from the developer console into FEISHU_APP_SECRET.'],
  11232: ['The custom bot or message service is rate limited.', 'Send less often (5/s and 100/min per bot); avoid the :00 and :30 peaks.'],
  19021: ['The webhook signature is wrong or the timestamp is more than 1 hour off.', 'Check the signing secret (--secret) and the machine clock.'],
  19022: ['The webhook refused the caller IP (IP allow-list).', 'Add this machine to the bot\'s IP allow-list, or remove the allow-list.'],
  19024: ['The message contains none of the bot\'s keywords.', 'Include one of the keywords set on the custom bot in the text or title.'],
  99991201: ['No such API (wrong path or method).', 'Check the URL; the API may need a newer SDK or a different version.'],
  99991400: ['Rate limited: too many requests for this API, app, chat or user.', 'Slow down; feishu-hub waits and retries automatically, so this means the retries ran out.'],
  99991401: ['The caller IP is not on the app\'s IP allow-list.', 'Add this IP in the developer console (Security settings) or remove the allow-list.'],
  99991403: ['The monthly API call quota of the tenant is used up.', 'Wait for the 1st of next month or upgrade the Feishu plan.'],
  99991661: ['No access token was sent.', 'Set FEISHU_APP_ID/FEISHU_APP_SECRET; feishu-hub adds the token itself.'],
  99991663: ['The tenant access token is invalid or expired.', 'feishu-hub refreshes it automatically; if this persists, check the app secret was not reset.'],
  99991664: ['The app access token is invalid.', 'feishu-hub refreshes it automatically; if this persists, check the app credentials.'],
  99991668: ['The user access token is invalid or expired.', 'Ask the user to log in again (or refresh the user token).'],
  99991671: ['The token has the wrong format (must start with t- or u-).', 'Pass a real tenant/user token, not an app secret or other value.'],
  99991672: ['The app lacks a permission scope this API requires.', 'Add the scope named in the error in the developer console, publish a new version, and have it approved.'],
  99991673: ['The app is not installed or usable in this tenant.', 'Install or enable the app for the tenant.'],
  99991677: ['The user access token expired.', 'Refresh the user token or ask the user to log in again.'],
  99991679: ['The user did not grant the scope this API needs.', 'Ask the user to authorise the app again with the required scope.'],
  99992402: ['A request field is missing or invalid.', 'Read the field_violations in the error for the field and fix the request.'],
  230001: ['Invalid message parameters.', 'Check receive_id, msg_type and that content is a JSON string of the right shape.'],
  230002: ['The bot is not in the chat.', 'Add the bot to the chat (chat settings → Bots), then send again.'],
  230006: ['The app has no bot capability, or it is not enabled.', 'Enable the Bot feature in the developer console and publish a version.'],
  230011: ['The message was recalled.', 'Nothing to do: the message no longer exists.'],
  230013: ['The bot cannot reach this user (outside the app\'s availability, or the user left).', 'Add the user to the app\'s availability range in the developer console.'],
  230020: ['Too many operations on this chat or message.', 'Slow down; send at most 5 messages per second to one chat or user.'],
  230025: ['The message is too long.', 'Keep text under 150 KB and cards/posts under 30 KB; split the message.'],
  230027: ['The app lacks the permission for this message operation.', 'Add the im:message scopes in the developer console.'],
  230031: ['The card can no longer be updated (older than 14 days) or was not sent with update_multi.', 'Send a new card instead, with config.update_multi set to true.'],
  230034: ['The receive_id is invalid for the given receive_id_type.', 'Check the id and --user/--chat type (open_id ou_…, chat_id oc_…, or an email).'],
  230035: ['Sending is not allowed in this chat (permission settings).', 'Ask a chat owner to allow the bot to post, or use another chat.'],
  230053: ['The user stopped the bot from messaging them.', 'The user must re-enable the bot; nothing to fix in code.'],
  230099: ['The card content is invalid.', 'Read the ErrCode in the message; validate the card JSON or template id/variables.'],
  232006: ['Invalid chat_id.', 'Check the chat id (oc_…) and that the chat belongs to this tenant.'],
  232009: ['The chat was disbanded.', 'Use another chat.'],
  232010: ['The chat belongs to another tenant.', 'Use a chat of the app\'s tenant.'],
  232011: ['The bot (operator) is not in the chat.', 'Add the bot to the chat first.'],
  232017: ['The bot is not allowed to do this in the chat (not owner/admin).', 'Make the bot the chat owner or an admin, or ask an owner.'],
  232019: ['Too many operations on this chat at once.', 'Call member operations on one chat one after the other.'],
  234001: ['Invalid parameters for the file or image.', 'Check the file key/type and the message id.'],
  234006: ['The file is too large (images 10 MB, files 30 MB).', 'Compress or split the file.'],
  234010: ['The file is empty.', 'Upload a non-empty file.'],
};

/**
 * What a Feishu code means and what to do, for people.
 *
 * @example
 * explainCode(230002).action // 'Add the bot to the chat (chat settings → Bots), then send again.'
 */
export function explainCode(code: number, httpStatus = 0): CodeExplanation {
  const e = TABLE[code];
  if (e) return { meaning: e[0], action: e[1] };
  if (httpStatus === 429) return { meaning: 'Rate limited.', action: 'Slow down and try again after the reset time.' };
  if (httpStatus >= 500) return { meaning: 'A Feishu server error.', action: 'Try again later; quote the log_id if you contact Feishu support.' };
  return { meaning: 'An error from the Feishu API.', action: 'Look the code up with the troubleshooter link or log_id in the Feishu developer docs.' };
}

/** Whether the table has a specific explanation for a code. */
export function isExplained(code: number): boolean {
  return code in TABLE;
}
