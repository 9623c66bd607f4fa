import type { ButtonSize, ButtonType, CardElement, TextObject } from '../types.js';
import type { Fields } from './content.js';
import { interaction, type InteractionOptions } from './interaction.js';
import { plainText, toText, type TextInput } from './text.js';

/** The confirmation dialog of a component. */
export interface Confirm {
  title: TextObject;
  text: TextObject;
}

/**
 * A confirmation dialog shown before the interaction is sent.
 * @example confirm('Deploy to prod?', 'This restarts 12 pods.')
 */
export function confirm(title: string, text: string): Confirm {
  return { title: plainText(title), text: plainText(text) };
}

/** Options shared by interactive components: routing, confirmation, form name, extra JSON fields. */
export type InteractiveOptions = InteractionOptions & {
  confirm?: Confirm;
  /** Needed (and unique per card) inside a form. */
  name?: string;
  disabled?: boolean;
  width?: string;
} & Fields;

function build(tag: string, own: Record<string, unknown>, options: InteractiveOptions): CardElement {
  const { action, value, url, multi_url, legacy, ...rest } = options;
  const clean = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined));
  return { tag, ...clean, ...rest, ...interaction({ action, value, url, multi_url, legacy }) };
}

export type ButtonOptions = InteractiveOptions & { type?: ButtonType; size?: ButtonSize };

/**
 * A button. `action` routes the click to `hub.action(key)`; `url` makes it a link button.
 * @example button('Approve', { type: 'primary', action: 'leave.approve', value: { id: 7 } })
 */
export function button(text: TextInput, options: ButtonOptions = {}): CardElement {
  return build('button', { text: toText(text) }, options);
}

/**
 * A form's submit button (`form_action_type: submit`; with `legacy`, `action_type: form_submit`).
 * @example submitButton('Submit', { name: 'submit', action: 'survey.submit', type: 'primary' })
 */
export function submitButton(text: TextInput, options: ButtonOptions & { name: string }): CardElement {
  const kind = options.legacy ? { action_type: 'form_submit' } : { form_action_type: 'submit' };
  return button(text, { ...options, ...kind });
}

/**
 * A form's reset button.
 * @example resetButton('Clear', { name: 'reset' })
 */
export function resetButton(text: TextInput, options: ButtonOptions & { name: string }): CardElement {
  const kind = options.legacy ? { action_type: 'form_reset' } : { form_action_type: 'reset' };
  return button(text, { ...options, ...kind });
}

/** An option of a select or overflow menu. */
export interface SelectOption {
  text: TextObject;
  value: string;
  [key: string]: unknown;
}

/**
 * A select option: shown text and the value returned in the callback (`action.option`).
 * @example option('Production', 'prod')
 */
export function option(text: TextInput, value: string, fields: Fields = {}): SelectOption {
  return { text: toText(text), value, ...fields };
}

const placeholderOf = (p: TextInput | undefined) => (p === undefined ? undefined : toText(p));

/**
 * A single-choice dropdown.
 * @example selectStatic([option('Prod', 'prod'), option('Staging', 'stg')], { placeholder: 'Environment', action: 'deploy.env' })
 */
export function selectStatic(options: SelectOption[], o: InteractiveOptions & { placeholder?: TextInput; initial_option?: string } = {}): CardElement {
  const { placeholder, ...rest } = o;
  return build('select_static', { placeholder: placeholderOf(placeholder), options }, rest);
}

/**
 * A multiple-choice dropdown (inside a form; `name` required).
 * @example multiSelectStatic([option('API', 'api'), option('Web', 'web')], { name: 'services', selected_values: ['api'] })
 */
export function multiSelectStatic(options: SelectOption[], o: InteractiveOptions & { name: string; placeholder?: TextInput; selected_values?: string[] }): CardElement {
  const { placeholder, ...rest } = o;
  return build('multi_select_static', { placeholder: placeholderOf(placeholder), options }, rest);
}

/**
 * A person picker; `candidates` (open_ids) limit the choice, else anyone in the chat.
 * @example selectPerson({ placeholder: 'Assignee', candidates: ['ou_1', 'ou_2'], action: 'incident.assign' })
 */
export function selectPerson(o: InteractiveOptions & { placeholder?: TextInput; candidates?: string[]; initial_option?: string } = {}): CardElement {
  const { placeholder, candidates, ...rest } = o;
  return build('select_person', { placeholder: placeholderOf(placeholder), options: candidates?.map((value) => ({ value })) }, rest);
}

type PickerOptions = InteractiveOptions & { placeholder?: TextInput; required?: boolean };

/**
 * A date picker (`initial_date` as `YYYY-MM-DD`).
 * @example datePicker({ placeholder: 'Start date', initial_date: '2024-05-01', name: 'start' })
 */
export function datePicker(o: PickerOptions & { initial_date?: string } = {}): CardElement {
  const { placeholder, ...rest } = o;
  return build('date_picker', { placeholder: placeholderOf(placeholder) }, rest);
}

/**
 * A time picker (`initial_time` as `HH:mm`).
 * @example pickerTime({ initial_time: '09:30', action: 'standup.time' })
 */
export function pickerTime(o: PickerOptions & { initial_time?: string } = {}): CardElement {
  const { placeholder, ...rest } = o;
  return build('picker_time', { placeholder: placeholderOf(placeholder) }, rest);
}

/**
 * A date-and-time picker (`initial_datetime` as `YYYY-MM-DD HH:mm`).
 * @example pickerDatetime({ initial_datetime: '2024-05-01 09:30', name: 'when' })
 */
export function pickerDatetime(o: PickerOptions & { initial_datetime?: string } = {}): CardElement {
  const { placeholder, ...rest } = o;
  return build('picker_datetime', { placeholder: placeholderOf(placeholder) }, rest);
}

/**
 * A "…" menu of options; the chosen option's value arrives as `action.option`.
 * @example overflow([option('Silence 1h', 'silence_1h'), option('Runbook', 'runbook')], { action: 'alert.menu' })
 */
export function overflow(options: (SelectOption | (Omit<SelectOption, 'value'> & { value?: string }))[], o: InteractiveOptions = {}): CardElement {
  return build('overflow', { options }, o);
}

/**
 * A text input (inside a form, `name` identifies its value in `form_value`).
 * @example input({ name: 'reason', placeholder: 'Why?', input_type: 'multiline_text', required: true })
 */
export function input(o: InteractiveOptions & { placeholder?: TextInput; label?: TextInput; default_value?: string; input_type?: 'text' | 'multiline_text' | 'password'; required?: boolean } = {}): CardElement {
  const { placeholder, label, ...rest } = o;
  return build('input', { placeholder: placeholderOf(placeholder), label: label === undefined ? undefined : toText(label) }, rest);
}

/**
 * The schema 1.0 action module holding buttons, selects and pickers (2.0 places them directly).
 * @example actionModule([button('Approve', { legacy: true, action: 'approve' })], 'bisected')
 */
export function actionModule(actions: CardElement[], layout?: 'bisected' | 'trisection' | 'flow'): CardElement {
  return { tag: 'action', actions, ...(layout !== undefined && { layout }) };
}
