import { z } from 'zod';
import { BUTTON_SIZES, BUTTON_TYPES } from '../types.js';
import { bool, common, controlWidth, icon, int, interactive, multiUrl, obj, opt, plain, str, text, type Version } from './common.js';

const date = () => z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const time = () => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const datetime = () => z.string().regex(/^\d{4}-\d{2}-\d{2} ([01]\d|2[0-3]):[0-5]\d$/);

/** Interactive components: buttons, selects, pickers, inputs, overflow menus, checkers. @example interactiveSchemas(2).button.parse({ tag: 'button', type: 'primary' }) */
export function interactiveSchemas(v: Version): Record<string, z.ZodType> {
  const el = (shape: Record<string, z.ZodType>) => obj(v, { ...common(), ...interactive(v), ...shape }, { element: true });
  const option = obj(v, { text: text(v), value: str(), icon: opt(icon(v)) });
  const placeholder = opt(plain(v));
  const width = opt(controlWidth());
  return {
    button: el({
      text: opt(text(v)).superRefine((t, ctx) => {
        if (t && typeof t.content === 'string' && [...t.content].length > 100) {
          ctx.addIssue({ code: 'custom', path: ['content'], params: { rule: 'max_length' }, message: '{field} must be at most 100 characters' });
        }
      }),
      type: opt(z.enum(BUTTON_TYPES)),
      size: opt(z.enum(BUTTON_SIZES)),
      width,
      icon: opt(icon(v)),
      url: opt(str()),
      multi_url: opt(multiUrl(v)),
      complex_interaction: opt(bool()),
      form_action_type: opt(z.enum(['submit', 'reset'])),
      action_type: opt(z.enum(['link', 'request', 'multi', 'form_submit', 'form_reset'])),
    }),
    select_static: el({
      type: opt(z.enum(['default', 'text'])),
      placeholder,
      width,
      initial_option: opt(str()),
      initial_index: opt(int(0)),
      options: opt(z.array(option)),
    }),
    multi_select_static: el({
      type: opt(z.enum(['default', 'text'])),
      name: str().min(1),
      placeholder,
      width,
      selected_values: opt(z.array(str())),
      options: opt(z.array(option)),
    }),
    select_person: el({
      type: opt(z.enum(['default', 'text'])),
      placeholder,
      width,
      initial_option: opt(str()),
      options: opt(z.array(obj(v, { value: str().min(1) }))),
    }),
    multi_select_person: el({
      type: opt(z.enum(['default', 'text'])),
      name: str().min(1),
      placeholder,
      width,
      selected_values: opt(z.array(str())),
      options: opt(z.array(obj(v, { value: str().min(1) }))),
    }),
    overflow: el({
      width: opt(z.string().regex(/^(default|fill|\d+px)$/)),
      options: z.array(obj(v, { text: text(v), value: opt(str()), multi_url: opt(multiUrl(v)) })).min(1),
    }),
    date_picker: el({ placeholder, width, initial_date: opt(date()) }),
    picker_time: el({ placeholder, width, initial_time: opt(time()) }),
    picker_datetime: el({ placeholder, width, initial_datetime: opt(datetime()) }),
    input: el({
      placeholder,
      default_value: opt(str()),
      width,
      max_length: opt(int(1, 1000)),
      input_type: opt(z.enum(['text', 'multiline_text', 'password'])),
      show_icon: opt(bool()),
      rows: opt(int(1)),
      auto_resize: opt(bool()),
      max_rows: opt(int(1)),
      label: opt(text(v)),
      label_position: opt(z.enum(['top', 'left'])),
    }),
    checker: el({
      checked: opt(bool()),
      text: opt(text(v)),
      overall_checkable: opt(bool()),
      button_area: opt(obj(v, { pc_display_rule: opt(str()), buttons: opt(z.array(z.unknown())) })),
      checked_style: opt(obj(v, { show_strikethrough: opt(bool()), opacity: opt(z.number()) })),
      padding: opt(str()),
    }),
    select_img: el({
      style: opt(str()),
      multi_select: opt(bool()),
      layout: opt(z.enum(['stretch', 'bisect', 'trisect'])),
      can_preview: opt(bool()),
      aspect_ratio: opt(str()),
      options: z.array(obj(v, { img_key: str().min(1), value: opt(str()), disabled: opt(bool()), disabled_tips: opt(plain(v)), hover_tips: opt(plain(v)) })).min(1),
    }),
    action: obj(v, { tag: z.string(), actions: z.array(z.unknown()).min(1), layout: opt(z.enum(['default', 'bisected', 'trisection', 'flow'])) }),
  };
}
