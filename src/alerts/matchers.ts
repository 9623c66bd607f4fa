/** One Alertmanager-style label matcher: `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`. */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
  /** Anchored, as Alertmanager anchors its regexes. */
  regex?: RegExp;
}

export type Labels = Record<string, string>;

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s]*))\s*$/;

/**
 * Parses one matcher; throws with what is wrong.
 * @example parseMatcher('team=~"db|infra"') // { name: 'team', op: '=~', value: 'db|infra', regex: /^(?:db|infra)$/ }
 */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m) throw new Error(`"${text}" is not a matcher: write name="value", name!="value", name=~"regex" or name!~"regex"`);
  const [, name, op, quoted, bare] = m;
  const value = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare;
  if (op === '=~' || op === '!~') {
    try {
      return { name, op, value, regex: new RegExp(`^(?:${value})$`) };
    } catch (err) {
      throw new Error(`"${text}": ${(err as Error).message}`);
    }
  }
  return { name, op: op as Matcher['op'], value };
}

/** Whether the labels satisfy the matcher (a missing label is the empty string, as in Alertmanager). */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.regex!.test(v);
    case '!~':
      return !m.regex!.test(v);
  }
}

/** All matchers hold. */
export function matchesAll(matchers: Matcher[], labels: Labels): boolean {
  return matchers.every((m) => matches(m, labels));
}
