import { z } from 'zod';
import {
  ALWAYS, behaviors, bool, box, common, confirm, hAlign, icon, int, layout, multiUrl, obj, opt, plain, spacing, str, text, textTagColor, vAlign, type Version,
} from './common.js';

const children = () => z.array(z.unknown());
const color = () => str();

/** Display components and containers; children are checked by the walker. @example displaySchemas(2).img.safeParse({ tag: 'img', img_key: 'k' }) // alt required */
export function displaySchemas(v: Version): Record<string, z.ZodType> {
  const el = (shape: Record<string, z.ZodType>, extra: { hint?: Record<string, string> } = {}) => obj(v, { ...common(), ...shape }, { element: true, ...extra });
  const t = text(v);
  return {
    div: el({
      text: opt(t),
      fields: opt(z.array(obj(v, { is_short: opt(bool()), text: t }))),
      icon: opt(icon(v)),
      width: opt(z.string().regex(/^(fill|auto|\d+px)$/)),
      ...(v === 1 ? { extra: opt(z.unknown()) } : {}),
    }, { hint: { extra: 'use a column_set for side content' } }),
    markdown: el({
      content: opt(str()),
      i18n_content: opt(z.record(z.string(), z.string())),
      text_align: opt(hAlign()),
      text_size: opt(str()),
      icon: opt(icon(v)),
      ...(v === 1 ? { href: opt(z.record(z.string(), multiUrl(v))) } : {}),
    }, { hint: { href: 'schema 2.0 dropped href; use <link url=…></link> in the content' } }).superRefine((m, ctx) => {
      if (m && typeof m === 'object' && m.content === undefined && m.i18n_content === undefined) {
        ctx.addIssue({ code: 'custom', path: ['content'], params: { rule: 'required' }, message: '{field} is required (or i18n_content)' });
      }
    }, ALWAYS),
    hr: el({}),
    img: el({
      img_key: str().min(1),
      alt: plain(v),
      title: opt(t),
      corner_radius: opt(str()),
      scale_type: opt(z.enum(['crop_center', 'crop_top', 'fit_horizontal'])),
      size: opt(z.string().regex(/^(large|medium|small|tiny|stretch|stretch_without_padding|\d+px \d+px)$/)),
      transparent: opt(bool()),
      preview: opt(bool()),
      mode: opt(z.enum(['crop_center', 'fit_horizontal', 'stretch', 'large', 'medium', 'small', 'tiny'])),
      custom_width: opt(z.union([int(1), z.string().regex(/^\d+px$/)])),
      compact_width: opt(bool()),
    }),
    img_combination: el({
      combination_mode: z.enum(['double', 'triple', 'bisect', 'trisect']),
      combination_transparent: opt(bool()),
      corner_radius: opt(str()),
      img_list: z.array(obj(v, { img_key: str().min(1), transparent: opt(bool()) })).min(1),
    }),
    note: el({ elements: z.array(z.unknown()).min(1) }),
    table: el({
      page_size: opt(int(1, 10)),
      row_height: opt(z.string().regex(/^(low|middle|high|auto|\d+px)$/)),
      row_max_height: opt(z.string().regex(/^\d+px$/)),
      freeze_first_column: opt(bool()),
      header_style: opt(obj(v, {
        text_align: opt(hAlign()),
        text_size: opt(z.enum(['normal', 'heading'])),
        background_style: opt(z.enum(['grey', 'none'])),
        text_color: opt(z.enum(['default', 'grey'])),
        bold: opt(bool()),
        lines: opt(int(1)),
      })),
      columns: z.array(obj(v, {
        name: str().min(1),
        display_name: opt(str()),
        width: opt(z.string().regex(/^(auto|\d+px|\d+%)$/)),
        vertical_align: opt(vAlign()),
        horizontal_align: opt(hAlign()),
        data_type: z.enum(['text', 'lark_md', 'options', 'number', 'persons', 'date', 'markdown']),
        format: opt(obj(v, { precision: opt(int(0, 10)), symbol: opt(str()), separator: opt(bool()) })),
        date_format: opt(str()),
      })).max(50),
      rows: z.array(z.record(z.string(), z.unknown())),
    }),
    person: el({ user_id: str().min(1), size: opt(z.enum(['extra_small', 'small', 'medium', 'large'])), show_avatar: opt(bool()), show_name: opt(bool()), style: opt(z.enum(['normal', 'capsule'])) }),
    person_list: el({
      persons: z.array(obj(v, { id: str().min(1) })),
      drop_invalid_user_id: opt(bool()),
      lines: opt(int(1)),
      show_name: opt(bool()),
      show_avatar: opt(bool()),
      size: opt(z.enum(['extra_small', 'small', 'medium', 'large'])),
      icon: opt(icon(v)),
      ud_icon: opt(z.unknown()),
    }),
    chart: el({
      chart_spec: z.record(z.string(), z.unknown()),
      aspect_ratio: opt(str()),
      color_theme: opt(str()),
      preview: opt(bool()),
      height: opt(str()),
    }),
    audio: el({
      file_key: str().min(1),
      audio_id: opt(str()),
      disabled: opt(bool()),
      disabled_tips: opt(plain(v)),
      show_progress_bar: opt(bool()),
      show_time: opt(bool()),
      time_display: opt(str()),
      time_position: opt(str()),
      border: opt(z.unknown()),
      style: opt(str()),
      padding: opt(box()),
      background_style: opt(str()),
      fill_color: opt(str()),
      width: opt(str()),
    }),
    // containers: their `elements` / `columns` are walked separately
    column_set: el({
      flex_mode: opt(z.enum(['none', 'stretch', 'flow', 'bisect', 'trisect'])),
      background_style: opt(color()),
      horizontal_spacing: opt(spacing()),
      horizontal_align: opt(hAlign()),
      action: opt(obj(v, { multi_url: opt(multiUrl(v)) })),
      columns: children(),
    }),
    column: el({
      ...layout(),
      width: opt(z.string().regex(/^(auto|weighted|\d+px)$/)),
      weight: opt(int(1, 5)),
      background_style: opt(color()),
      action: opt(obj(v, { multi_url: opt(multiUrl(v)) })),
      elements: opt(children()),
    }),
    form: el({ ...layout(), name: str().min(1), elements: children() }),
    collapsible_panel: el({
      ...layout(),
      expanded: opt(bool()),
      background_color: opt(color()),
      header: obj(v, {
        title: text(v, ['plain_text', 'markdown', 'lark_md']),
        background_color: opt(color()),
        vertical_align: opt(vAlign()),
        padding: opt(box()),
        position: opt(z.enum(['top', 'bottom'])),
        width: opt(z.string().regex(/^(fill|auto|auto_when_fold|\d+px)$/)),
        icon: opt(icon(v)),
        icon_position: opt(z.enum(['left', 'right', 'follow_text'])),
        icon_expanded_angle: opt(z.number()),
      }),
      border: opt(obj(v, { color: opt(color()), corner_radius: opt(str()) })),
      elements: opt(children()),
    }),
    interactive_container: el({
      ...layout(),
      width: opt(z.string().regex(/^(fill|auto|\d+px)$/)),
      height: opt(z.string().regex(/^(auto|\d+px)$/)),
      background_style: opt(color()),
      has_border: opt(bool()),
      border_color: opt(color()),
      corner_radius: opt(str()),
      behaviors: opt(behaviors(v)),
      disabled: opt(bool()),
      disabled_tips: opt(plain(v)),
      hover_tips: opt(plain(v)),
      confirm: opt(confirm(v)),
      elements: children(),
    }),
    text_tag: el({ text: opt(plain(v)), color: opt(textTagColor()) }),
  };
}
