/** Small formatting helpers shared by the components. */

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** "14:05" today, "Mar 3 14:05" otherwise (emulator time, in the browser's zone). */
export function messageTime(ms, now = Date.now()) {
  const d = new Date(ms);
  const today = new Date(now);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === today.toDateString()) return hm;
  return `${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${hm}`;
}

/** "14:05:09.123" for the request log. */
export function clockTime(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function fileSize(bytes) {
  if (bytes == null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The browser's UTC offset as Feishu writes it in picker values: "+0800". */
export function utcOffset(date = new Date()) {
  const m = -date.getTimezoneOffset();
  return `${m >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(m) / 60))}${pad(Math.abs(m) % 60)}`;
}

export const timezone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Text of a plain_text/lark_md object (or a string), English first like an en_us client. */
export function textOf(t) {
  if (t == null) return '';
  if (typeof t === 'string') return t;
  if (typeof t !== 'object') return String(t);
  if (typeof t.content === 'string' && t.content !== '') return t.content;
  const i18n = t.i18n ?? t.i18n_content;
  if (i18n && typeof i18n === 'object') return i18n.en_us ?? i18n.zh_cn ?? Object.values(i18n)[0] ?? '';
  return typeof t.content === 'string' ? t.content : '';
}

/** Picks a locale from an i18n map such as `i18n_elements` or `i18n_header`. */
export function pickLocale(map) {
  if (!map || typeof map !== 'object') return undefined;
  return map.en_us ?? map.zh_cn ?? Object.values(map)[0];
}

/** Only links a user would expect to follow; anything else (javascript:, data:) stays text. */
export function safeUrl(url) {
  if (typeof url !== 'string') return undefined;
  const u = url.trim();
  return /^(https?:|mailto:|tel:|lark:|feishu:|\/|#)/i.test(u) ? u : undefined;
}
