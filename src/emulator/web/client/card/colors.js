/** Feishu's colour palette for card headers, text tags and coloured text (Lark design tokens, approximated). */

/** Header `template` → [background, title colour]. Light themes keep dark text. */
export const HEADER_THEMES = {
  blue: ['#3370ff', '#fff'],
  wathet: ['#0fb0eb', '#fff'],
  turquoise: ['#04b49c', '#fff'],
  green: ['#2ea121', '#fff'],
  yellow: ['#f5b400', '#fff'],
  orange: ['#ff8800', '#fff'],
  red: ['#f54a45', '#fff'],
  carmine: ['#e4267f', '#fff'],
  violet: ['#c130c1', '#fff'],
  purple: ['#7f3bf5', '#fff'],
  indigo: ['#4954e6', '#fff'],
  grey: ['#eff0f1', '#1f2329'],
  default: ['#fff', '#1f2329'],
};

/** Tag and text colour names → [light background, text colour]. */
export const TAG_COLORS = {
  neutral: ['#eff0f1', '#646a73'],
  grey: ['#eff0f1', '#646a73'],
  blue: ['#e1eaff', '#245bdb'],
  wathet: ['#d9f3fd', '#037eaa'],
  turquoise: ['#d5f6f2', '#078372'],
  green: ['#d9f5d6', '#237b19'],
  lime: ['#eef6c6', '#667901'],
  yellow: ['#faf1d1', '#946404'],
  orange: ['#feead2', '#b26206'],
  red: ['#fde2e2', '#d83931'],
  carmine: ['#fdddef', '#c71077'],
  violet: ['#f8def8', '#a41ea4'],
  purple: ['#ece2fe', '#6425d0'],
  indigo: ['#e0e2fa', '#3c46c2'],
};

/** `text_color` values (and `<font color>`): a name, a name with a shade, or a hex. */
export function textColor(name) {
  if (!name || name === 'default') return undefined;
  if (/^#[0-9a-f]{3,8}$/i.test(name)) return name;
  const base = String(name).replace(/-\d+$/, '');
  return TAG_COLORS[base]?.[1];
}

/** `background_style` of columns and panels: "grey", a colour name ("blue-50"), or default. */
export function backgroundColor(style) {
  if (!style || style === 'default') return undefined;
  if (/^#[0-9a-f]{3,8}$/i.test(style)) return style;
  const base = String(style).replace(/-\d+$/, '');
  if (base === 'grey' || base === 'neutral') return '#f5f6f7';
  return TAG_COLORS[base]?.[0];
}

/** `text_size` names → CSS font size and weight. */
export const TEXT_SIZES = {
  'heading-0': [30, 600],
  'heading-1': [24, 600],
  'heading-2': [20, 600],
  'heading-3': [18, 600],
  'heading-4': [16, 600],
  heading: [16, 600],
  normal: [14, 400],
  notation: [12, 400],
  'xxxx-large': [30, 400],
  'xxx-large': [24, 400],
  'xx-large': [20, 400],
  'x-large': [18, 400],
  large: [16, 400],
  medium: [14, 400],
  small: [12, 400],
  'x-small': [10, 400],
};

export function textStyle(t) {
  const style = {};
  const size = TEXT_SIZES[t?.text_size];
  if (size) {
    style.fontSize = `${size[0]}px`;
    style.lineHeight = `${Math.round(size[0] * 1.5)}px`;
    if (size[1] !== 400) style.fontWeight = size[1];
  }
  const color = textColor(t?.text_color);
  if (color) style.color = color;
  if (t?.text_align) style.textAlign = t.text_align;
  if (t?.lines > 0) Object.assign(style, { display: '-webkit-box', WebkitLineClamp: String(t.lines), WebkitBoxOrient: 'vertical', overflow: 'hidden' });
  return style;
}
