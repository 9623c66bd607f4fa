import { z } from 'zod';
import { bool, box, elementId, headerTemplate, icon, layout, locales, obj, opt, plain, str, text, textTagColor, type Version } from './common.js';

/** Builds a schema on first use only (schemas are immutable; building them costs more than using them). */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

const textTag = (v: Version) => obj(v, { tag: z.literal('text_tag'), element_id: opt(elementId()), text: plain(v), color: opt(textTagColor()) });

/** `header`: title required; theme colour and tag colours are enumerations. @example headerSchema(2).safeParse({ template: 'blue' }) // title required */
export function headerSchema(v: Version) {
  return obj(v, {
    title: text(v),
    subtitle: opt(text(v)),
    text_tag_list: opt(z.array(textTag(v))),
    i18n_text_tag_list: opt(z.record(z.string(), z.array(textTag(v)))),
    template: opt(headerTemplate()),
    icon: opt(icon(v)),
    ...(v === 2 ? { padding: opt(box()) } : { ud_icon: opt(z.unknown()) }),
  }, { hint: { ud_icon: 'schema 2.0 uses icon {tag:"standard_icon", token, color}' } });
}

/** `config`: in 2.0 `update_multi` may only be true (2.0 cards are always shared). @example configSchema(2).safeParse({ update_multi: false }) // invalid_value */
export function configSchema(v: Version) {
  const style = obj(v, {
    text_size: opt(z.record(z.string(), obj(v, { default: opt(str()), pc: opt(str()), mobile: opt(str()) }))),
    color: opt(z.record(z.string(), obj(v, { light_mode: opt(str()), dark_mode: opt(str()) }))),
  });
  const shape: Record<string, z.ZodType> = {
    enable_forward: opt(bool()),
    update_multi: opt(bool()),
    width_mode: opt(z.enum(['default', 'compact', 'fill'])),
    use_custom_translation: opt(bool()),
    enable_forward_interaction: opt(bool()),
    style: opt(style),
  };
  if (v === 2) {
    Object.assign(shape, {
      streaming_mode: opt(bool()),
      streaming_config: opt(z.record(z.string(), z.unknown())),
      summary: opt(obj(v, { content: opt(str()), i18n_content: opt(locales()) })),
      locales: opt(z.array(str())),
    });
  } else {
    Object.assign(shape, { wide_screen_mode: opt(bool()), compact_width: opt(bool()) });
  }
  return obj(v, shape, { hint: { wide_screen_mode: 'use width_mode' } }).superRefine((c, ctx) => {
    if (v === 2 && c && typeof c === 'object' && c.update_multi === false) {
      ctx.addIssue({ code: 'custom', path: ['update_multi'], params: { rule: 'invalid_value' }, message: '{field} must be true in schema 2.0 (2.0 cards are always shared)' });
    }
  });
}

/** `card_link`: `url`, or all three of `pc_url`, `ios_url`, `android_url`. @example cardLinkSchema(2).parse({ url: 'https://a.example' }) */
export function cardLinkSchema(v: Version) {
  return obj(v, { url: opt(str()), pc_url: opt(str()), ios_url: opt(str()), android_url: opt(str()) }).superRefine((l, ctx) => {
    if (!l || typeof l !== 'object' || l.url !== undefined) return;
    const missing = (['pc_url', 'ios_url', 'android_url'] as const).filter((k) => l[k] === undefined);
    if (missing.length) ctx.addIssue({ code: 'custom', path: ['url'], params: { rule: 'required' }, message: `{field} is required unless pc_url, ios_url and android_url are all set (missing ${missing.join(', ')})` });
  });
}

/** 2.0 `body`: layout fields plus `elements` (walked separately). @example bodySchema().parse({ elements: [] }) */
export function bodySchema() {
  return obj(2, { elements: opt(z.array(z.unknown())), ...layout() });
}

const V2_HINTS: Record<string, string> = {
  elements: 'in 2.0 components go in body.elements',
  i18n_header: 'use i18n_content on the header texts',
};

/** Top-level fields of a 2.0 card (the elements are walked separately). @example card2Schema().safeParse({ schema: '2.0', elements: [] }) // unknown_field */
export const card2Schema = once(() =>
  obj(2, {
    schema: z.literal('2.0'),
    config: opt(configSchema(2)),
    card_link: opt(cardLinkSchema(2)),
    header: opt(headerSchema(2)),
    body: opt(bodySchema()),
  }, { hint: V2_HINTS }),
);

/** Top-level fields of a 1.0 card (unknown fields are ignored, as the platform does). @example card1Schema().parse({ elements: [] }) */
export const card1Schema = once(() =>
  z.looseObject({
    schema: opt(z.literal('1.0')),
    config: opt(configSchema(1)),
    card_link: opt(cardLinkSchema(1)),
    header: opt(headerSchema(1)),
    i18n_header: opt(z.record(z.string(), headerSchema(1))),
    elements: opt(z.array(z.unknown())),
    i18n_elements: opt(z.record(z.string(), z.array(z.unknown()))),
    fallback: opt(z.record(z.string(), z.unknown())),
  }),
);

/** `{type:'template', data:{template_id, template_version_name?, template_variable?}}`: shape only. @example templateSchema().parse({ type: 'template', data: { template_id: 'AAq1' } }) */
export const templateSchema = once(() =>
  z.looseObject({
    type: z.literal('template'),
    data: z.looseObject({
      template_id: str().min(1),
      template_version_name: opt(str().regex(/^\d+\.\d+\.\d+$/)),
      template_variable: opt(z.record(z.string(), z.unknown())),
    }),
  }),
);

/** `{type:'card', data:{card_id}}`: a CardKit card entity. @example cardEntitySchema().parse({ type: 'card', data: { card_id: '7371' } }) */
export const cardEntitySchema = once(() => z.looseObject({ type: z.literal('card'), data: z.looseObject({ card_id: str().min(1) }) }));


