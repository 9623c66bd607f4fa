import { useState } from 'preact/hooks';
import { textOf } from '../lib/format.js';
import { confirmDialog } from '../components/dialog.js';

/**
 * The value of an input-like element. Inside a form it reports to the form (no callback);
 * outside, a change calls the app back with `action` (after the element's confirm dialog).
 * `toForm` maps the shown value to what `form_value` carries (pickers add the UTC offset).
 */
export function useField(el, cx, initial, toForm = (v) => v) {
  const [value, setValue] = useState(initial);
  const inForm = Boolean(cx.form && el.name);
  if (inForm) cx.form.register(el.name, initial === undefined ? undefined : toForm(initial), el.required);
  const invalid = inForm && Boolean(cx.form.errors[el.name]);

  const change = async (next, action) => {
    const before = value;
    setValue(next);
    if (inForm) return cx.form.set(el.name, toForm(next));
    if (!action) return;
    if (el.confirm && !(await confirmDialog({ title: textOf(el.confirm.title), text: textOf(el.confirm.text) }))) {
      setValue(before);
      return;
    }
    await cx.act(action);
  };
  return { value, setValue, change, inForm, invalid };
}

/** 2.0 `width`: "default", "fill", or "123px". */
export function widthStyle(width, fallback) {
  if (width === 'fill') return { width: '100%' };
  if (typeof width === 'string' && /^\d+px$/.test(width)) return { width };
  return fallback ? { width: fallback } : undefined;
}
