/** A mention as it arrives in `im.message.receive_v1`. */
export interface ReceivedMention {
  key: string;
  id: { open_id?: string; union_id?: string; user_id?: string };
  name: string;
}

export interface ParsedText {
  /** The text with mention placeholders replaced by `@Name`, trimmed. */
  text: string;
  /** True when the bot was @-mentioned. */
  mentionsBot: boolean;
  /** Other people mentioned, in order. */
  mentions: { openId?: string; name: string }[];
  /** Set when the text (after a leading @bot) starts with `/name`. */
  command?: { name: string; args: string[]; rest: string };
}

/** Splits arguments like a shell: spaces separate, quotes ("…" or '…' or “…”) group. */
export function splitArgs(input: string): string[] {
  const args: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|“([^”]*)”|(\S+)/g;
  for (const m of input.matchAll(re)) args.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return args;
}

/**
 * Reads a received text message: resolves `@_user_N` placeholders, notes whether the bot
 * was mentioned, and parses `/command args…` whether or not it follows an @bot.
 *
 * @example
 * parseText('@_user_1 /deploy api "blue green"', [{ key: '@_user_1', id: { open_id: BOT }, name: 'bot' }], BOT)
 * // → { command: { name: 'deploy', args: ['api', 'blue green'] }, mentionsBot: true, … }
 */
export function parseText(raw: string, mentions: readonly ReceivedMention[] = [], botOpenId?: string): ParsedText {
  const isBot = (m: ReceivedMention) => Boolean(botOpenId) && m.id.open_id === botOpenId;
  let mentionsBot = false;
  const people: ParsedText['mentions'] = [];
  let text = raw;
  // Longest keys first so @_user_10 is not read as @_user_1 followed by 0.
  for (const m of [...mentions].sort((a, b) => b.key.length - a.key.length)) {
    if (!text.includes(m.key)) continue;
    if (isBot(m)) {
      mentionsBot = true;
      text = text.split(m.key).join('');
    } else {
      text = text.split(m.key).join(`@${m.name}`);
    }
  }
  for (const m of mentions) if (!isBot(m)) people.push({ openId: m.id.open_id, name: m.name });
  text = text.replace(/\s+/g, ' ').trim();
  const cmd = /^\/([A-Za-z0-9_][\w.-]*)(?:\s+([\s\S]*))?$/.exec(text);
  return {
    text,
    mentionsBot,
    mentions: people,
    ...(cmd ? { command: { name: cmd[1].toLowerCase(), args: splitArgs(cmd[2] ?? ''), rest: (cmd[2] ?? '').trim() } } : {}),
  };
}
