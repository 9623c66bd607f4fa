/**
 * Card JSON types (schema 1.0 and 2.0). Field names are Feishu's own, so the platform's
 * documentation applies word for word; the types are deliberately open (`[key: string]: unknown`)
 * because the card service grows fields faster than any typing could follow.
 */

/** Locales of `i18n` / `i18n_content` maps. */
export type Locale = 'zh_cn' | 'en_us' | 'ja_jp' | 'zh_hk' | 'zh_tw' | (string & {});

/** A text object: `{tag:'plain_text'|'lark_md', content}`. */
export interface TextObject {
  tag: 'plain_text' | 'lark_md';
  content: string;
  i18n_content?: Partial<Record<Locale, string>>;
  text_size?: string;
  text_color?: string;
  text_align?: 'left' | 'center' | 'right';
  lines?: number;
  element_id?: string;
  [key: string]: unknown;
}

/** Header theme colours (`header.template`). */
export const HEADER_TEMPLATES = ['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default'] as const;
export type HeaderTemplate = (typeof HEADER_TEMPLATES)[number];

/** Colours of header text tags (`text_tag.color`). */
export const TEXT_TAG_COLORS = ['neutral', 'blue', 'turquoise', 'lime', 'orange', 'violet', 'indigo', 'wathet', 'green', 'yellow', 'red', 'purple', 'carmine'] as const;
export type TextTagColor = (typeof TEXT_TAG_COLORS)[number];

/** Button styles (`button.type`). */
export const BUTTON_TYPES = ['default', 'primary', 'danger', 'text', 'primary_text', 'danger_text', 'primary_filled', 'danger_filled', 'laser'] as const;
export type ButtonType = (typeof BUTTON_TYPES)[number];

/** Button heights (`button.size`). */
export const BUTTON_SIZES = ['tiny', 'small', 'medium', 'large'] as const;
export type ButtonSize = (typeof BUTTON_SIZES)[number];

/** Any card component: a `tag` plus its fields. */
export interface CardElement {
  tag: string;
  element_id?: string;
  margin?: string;
  [key: string]: unknown;
}

/** Links per platform (`multi_url`, `card_link`). */
export interface MultiUrl {
  url?: string;
  pc_url?: string;
  ios_url?: string;
  android_url?: string;
}

/** An interaction declared in `behaviors[]`. */
export type Behavior =
  | { type: 'callback'; value: Record<string, unknown> }
  | { type: 'open_url'; default_url: string; pc_url?: string; ios_url?: string; android_url?: string }
  | { type: 'form_action'; behavior: 'submit' | 'reset' };

export interface CardHeader {
  title: TextObject;
  subtitle?: TextObject;
  template?: HeaderTemplate;
  text_tag_list?: CardElement[];
  [key: string]: unknown;
}

export interface CardConfig {
  enable_forward?: boolean;
  update_multi?: boolean;
  width_mode?: 'default' | 'compact' | 'fill';
  [key: string]: unknown;
}

/** A schema 2.0 card. */
export interface Card2 {
  schema: '2.0';
  config?: CardConfig;
  card_link?: MultiUrl;
  header?: CardHeader;
  body?: { elements: CardElement[]; [key: string]: unknown };
}

/** A schema 1.0 card (the default when `schema` is absent). */
export interface Card1 {
  schema?: '1.0';
  config?: CardConfig;
  card_link?: MultiUrl;
  header?: CardHeader;
  elements?: CardElement[];
  i18n_elements?: Partial<Record<Locale, CardElement[]>>;
  [key: string]: unknown;
}

/** A card built in Feishu's CardKit builder, referenced by id. */
export interface TemplateCard {
  type: 'template';
  data: { template_id: string; template_version_name?: string; template_variable?: Record<string, unknown> };
}

/** Anything the card service accepts as card content. */
export type AnyCard = Card2 | Card1 | TemplateCard;
