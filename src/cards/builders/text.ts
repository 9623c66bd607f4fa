import type { TextObject } from '../types.js';

/** A string (becomes plain_text) or a full text object. */
export type TextInput = string | TextObject;

type TextOptions = Omit<Partial<TextObject>, 'tag' | 'content'>;

/**
 * A plain_text object.
 * @example plainText('Deploy finished') // {tag:'plain_text', content:'Deploy finished'}
 */
export function plainText(content: string, options: TextOptions = {}): TextObject {
  return { tag: 'plain_text', content, ...options };
}

/**
 * A lark_md text object (Feishu's markdown subset: bold, links, `<at id=ou_…></at>`).
 * @example larkMd('**Applicant**\nAlice') // {tag:'lark_md', content:'**Applicant**\nAlice'}
 */
export function larkMd(content: string, options: TextOptions = {}): TextObject {
  return { tag: 'lark_md', content, ...options };
}

/**
 * Turns a string into a text object of the given tag; text objects pass unchanged.
 * @example toText('Hi') // {tag:'plain_text', content:'Hi'}
 */
export function toText(input: TextInput, tag: TextObject['tag'] = 'plain_text'): TextObject {
  return typeof input === 'string' ? { tag, content: input } : input;
}

/**
 * A card-markdown mention of a user (`<at id=ou_…></at>`), or of everyone with `'all'`.
 * @example mention('ou_123') // '<at id=ou_123></at>'
 */
export function mention(openId: string): string {
  return `<at id=${openId}></at>`;
}
