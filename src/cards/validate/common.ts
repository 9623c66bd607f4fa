import { z } from 'zod';
import { HEADER_TEMPLATES, TEXT_TAG_COLORS } from '../types.js';

/** Schema version a component is checked against: 2.0 rejects unknown fields, 1.0 ignores them. */
export type Version = 1 | 2;

type Shape = Record<string, z.ZodType>;

/** Refinement option: run even when a field inside failed, so every problem is reported at once. @example schema.superRefine(check, ALWAYS) */
// zod 4 supports `when` on checks; its public typing of superRefine params does not show it
export const ALWAYS = { when: () => true } as unknown as Parameters<z.ZodString['superRefine']>[1];

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields every 2.0 component may carry. */
const COMMON_V2 = ['tag', 'element_id', 'margin', 'fallback'];

/**
 * An object schema. In 2.0 any field not in the shape is an `unknown_field` issue (the card
 * service answers 200621 for it); localised twins `i18n_<field>` of known fields are allowed.
 * 1.0 ignores unknown fields, as the platform does.
 * @example obj(2, { content: str() }).safeParse({ content: 'x', colour: 'red' }) // unknown_field at colour
 */
export function obj(v: Version, shape: Shape, options: { element?: boolean; extra?: string[]; hint?: Record<string, string> } = {}) {
  const base = z.looseObject(shape);
  if (v === 1) return base;
  const known = new Set([...Object.keys(shape), ...(options.element ? COMMON_V2 : []), ...(options.extra ?? [])]);
  return base.superRefine(
    (value, ctx) => {
      if (!isPlainObject(value)) return;
      for (const key of Object.keys(value)) {
        if (known.has(key) || (key.startsWith('i18n_') && known.has(key.slice(5)))) continue;
        const hint = options.hint?.[key];
        ctx.addIssue({
          code: 'custom',
          path: [key],
          params: { rule: 'unknown_field' },
          message: `unknown field "${key}" at {field}: schema 2.0 rejects fields it does not know${hint ? ` (${hint})` : ''}`,
        });
      }
    },
    ALWAYS,
  );
}

/** A string field. @example str().min(1) */
export const str = () => z.string();
/** A boolean field. @example opt(bool()) */
export const bool = () => z.boolean();
/** An integer field within optional bounds. @example int(1, 5) // column weight */
export const int = (min?: number, max?: number) => {
  let s = z.number().int();
  if (min !== undefined) s = s.min(min);
  if (max !== undefined) s = s.max(max);
  return s;
};
/** Makes a field optional. @example opt(str()) */
export const opt = <T extends z.ZodType>(s: T) => s.optional();

const PX = String.raw`-?\d+(?:\.\d+)?(?:px)?`;
/** CSS-like box: 1 to 4 lengths. @example box().parse('4px 12px') */
export const box = () => z.string().regex(new RegExp(`^${PX}(?: ${PX}){0,3}$`));
/** Spacing: `small` … `extra_large`, `default` or `Npx`. @example spacing().parse('8px') */
export const spacing = () => z.string().regex(/^(default|small|medium|large|extra_large|\d+(\.\d+)?px)$/);
/** Horizontal alignment. @example hAlign().parse('center') */
export const hAlign = () => z.enum(['left', 'center', 'right']);
/** Vertical alignment. @example vAlign().parse('top') */
export const vAlign = () => z.enum(['top', 'center', 'bottom']);
/** Layout direction of a container. @example direction().parse('horizontal') */
export const direction = () => z.enum(['vertical', 'horizontal']);
/** `default` | `fill` | `Npx` (buttons, selects, pickers, inputs). @example controlWidth().parse('120px') */
export const controlWidth = () => z.string().regex(/^(default|fill|\d+px)$/);
/** A 2.0 `element_id`: a letter, then letters, digits or `_`, at most 20 in all. @example elementId().parse('summary_md') */
export const elementId = () => z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,19}$/);
/** A locale → text map (`i18n_content`). @example locales().parse({ en_us: 'Hi' }) */
export const locales = () => z.record(z.string(), z.string());

/** Layout fields of containers (2.0). @example obj(2, { ...layout(), elements: z.array(z.unknown()) }) */
export function layout(): Shape {
  return {
    direction: opt(direction()),
    padding: opt(box()),
    horizontal_spacing: opt(spacing()),
    vertical_spacing: opt(spacing()),
    horizontal_align: opt(hAlign()),
    vertical_align: opt(vAlign()),
  };
}

/** Fields of every component: `tag`, `element_id`, `margin`. @example obj(2, { ...common(), content: str() }, { element: true }) */
export function common(): Shape {
  return { tag: z.string(), element_id: opt(elementId()), margin: opt(box()) };
}

/**
 * A text object. `content` is required unless a localised `i18n_content` / `i18n` is given.
 * @example text(2, ['plain_text']).parse({ tag: 'plain_text', content: 'Hi' })
 */
export function text(v: Version, tags: readonly [string, ...string[]] = ['plain_text', 'lark_md']) {
  return obj(v, {
    tag: z.enum(tags),
    content: opt(str()),
    i18n: opt(locales()),
    i18n_content: opt(locales()),
    text_size: opt(str()),
    text_color: opt(str()),
    text_align: opt(hAlign()),
    lines: opt(int(1)),
    element_id: opt(elementId()),
  }).superRefine((t, ctx) => {
    if (isPlainObject(t) && t.content === undefined && t.i18n === undefined && t.i18n_content === undefined) {
      ctx.addIssue({ code: 'custom', path: ['content'], params: { rule: 'required' }, message: '{field} is required (or i18n_content)' });
    }
  }, ALWAYS);
}

/** Short texts where 2.0 takes plain_text only (confirm dialogs, tips, placeholders). @example plain(2) */
export const plain = (v: Version) => text(v, v === 2 ? ['plain_text'] : ['plain_text', 'lark_md']);

/** A component icon (`standard_icon` token or `custom_icon` image). @example icon(2).parse({ tag: 'standard_icon', token: 'bell_outlined' }) */
export const icon = (v: Version) =>
  obj(v, { tag: opt(z.enum(['standard_icon', 'custom_icon'])), token: opt(str()), color: opt(str()), img_key: opt(str()), size: opt(str()) });

/** Links per platform. @example multiUrl(1).parse({ url: 'https://a.example' }) */
export const multiUrl = (v: Version) => obj(v, { url: opt(str()), pc_url: opt(str()), ios_url: opt(str()), android_url: opt(str()) });

/** A confirmation dialog: title and text both required. @example confirm(2).parse({ title: t, text: t }) */
export const confirm = (v: Version) => obj(v, { title: plain(v), text: plain(v) });

const BEHAVIOR_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  open_url: { required: ['default_url'], optional: ['pc_url', 'ios_url', 'android_url'] },
  callback: { required: ['value'], optional: [] },
  form_action: { required: ['behavior'], optional: [] },
};

/** `behaviors[]`: open_url (needs default_url), callback (needs a value), form_action (submit|reset). @example behaviors(2).parse([{ type: 'callback', value: { action: 'ack' } }]) */
export function behaviors(v: Version) {
  const one = z
    .looseObject({ type: z.enum(['open_url', 'callback', 'form_action']) })
    .superRefine((b, ctx) => {
      const spec = BEHAVIOR_FIELDS[b.type];
      if (!spec) return;
      for (const f of spec.required) {
        if (b[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], params: { rule: 'required' }, message: `{field} is required for a ${b.type} behavior` });
      }
      // objects are the documented form (the SDKs only pass objects); the docs' own examples also use strings
      if (b.type === 'callback' && b.value !== undefined && typeof b.value !== 'string' && !isPlainObject(b.value)) {
        ctx.addIssue({ code: 'custom', path: ['value'], params: { rule: 'type' }, message: '{field} must be an object (or a string)' });
      }
      if (b.type === 'form_action' && b.behavior !== undefined && b.behavior !== 'submit' && b.behavior !== 'reset') {
        ctx.addIssue({ code: 'custom', path: ['behavior'], params: { rule: 'enum' }, message: '{field} must be one of "submit", "reset"' });
      }
      if (v === 2) {
        const known = new Set(['type', ...spec.required, ...spec.optional]);
        for (const k of Object.keys(b)) {
          if (!known.has(k)) ctx.addIssue({ code: 'custom', path: [k], params: { rule: 'unknown_field' }, message: `unknown field "${k}" at {field}: schema 2.0 rejects fields it does not know` });
        }
      }
    });
  return z.array(one);
}

/** Fields of interactive components (selects, pickers, inputs…). @example obj(2, { ...common(), ...interactive(2) }) */
export function interactive(v: Version): Shape {
  return {
    name: opt(str().min(1)),
    required: opt(bool()),
    disabled: opt(bool()),
    disabled_tips: opt(plain(v)),
    hover_tips: opt(plain(v)),
    confirm: opt(confirm(v)),
    behaviors: opt(behaviors(v)),
    // the classic callback value: returned as `action.value` (object or string)
    value: opt(z.union([z.record(z.string(), z.unknown()), z.string()])),
  };
}

/** Header theme colours. @example headerTemplate().parse('orange') */
export const headerTemplate = () => z.enum(HEADER_TEMPLATES);
/** Header tag colours. @example textTagColor().parse('red') */
export const textTagColor = () => z.enum(TEXT_TAG_COLORS);
