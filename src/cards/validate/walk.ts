import type { z } from 'zod';
import { icon, obj, plain, str, text, type Version } from './common.js';
import { displaySchemas } from './elements-display.js';
import { interactiveSchemas } from './elements-interactive.js';
import { fromZod, type CardIssue, type CardRule } from './issues.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Containers nest at most five levels deep (platform docs: "最多支持嵌套五层"). */
export const MAX_CONTAINER_DEPTH = 5;

const CONTAINERS = new Set(['form', 'column_set', 'collapsible_panel', 'interactive_container']);
/** Components that submit a value and so need a `name` inside a form (else callback error 200530). */
const FORM_FIELDS = new Set([
  'input', 'select_static', 'multi_select_static', 'select_person', 'multi_select_person',
  'date_picker', 'picker_time', 'picker_datetime', 'checker', 'select_img', 'button',
]);
/** What a 1.0 action module may hold. */
const ACTION_CHILDREN = new Set(['button', 'select_static', 'select_person', 'overflow', 'date_picker', 'picker_time', 'picker_datetime']);

const cache = new Map<Version, Record<string, z.ZodType>>();
function schemasFor(v: Version): Record<string, z.ZodType> {
  let s = cache.get(v);
  if (!s) {
    s = { ...displaySchemas(v), ...interactiveSchemas(v) };
    delete s.text_tag; // header-only, not a body component
    if (v === 2) delete s.note;
    cache.set(v, s);
  }
  return s;
}

const noteCache = new Map<Version, { text: z.ZodType; img: z.ZodType; icon: z.ZodType }>();
function noteSchemas(v: Version) {
  let s = noteCache.get(v);
  if (!s) noteCache.set(v, (s = { text: text(v), img: obj(v, { tag: str(), img_key: str().min(1), alt: plain(v) }), icon: icon(v) }));
  return s;
}

interface Form {
  path: string;
  hasSubmit: boolean;
}

interface Place {
  /** Tag of the enclosing container, or null at the card's top level. */
  parent: string | null;
  /** How many containers enclose this level. */
  depth: number;
  form: Form | null;
}

/** Walks component lists, checking each component and the rules that span the tree. @example new ElementWalker(2, issues).list(card.body.elements, 'body.elements') */
export class ElementWalker {
  private readonly schemas: Record<string, z.ZodType>;
  private readonly names = new Map<string, string>();

  constructor(
    private readonly v: Version,
    private readonly issues: CardIssue[],
  ) {
    this.schemas = schemasFor(v);
  }

  list(list: unknown, path: string, place: Place = { parent: null, depth: 0, form: null }): void {
    if (!Array.isArray(list)) return; // the enclosing schema reports the type
    list.forEach((el, i) => this.element(el, `${path}[${i}]`, place));
  }

  private add(path: string, rule: CardRule, message: string): void {
    this.issues.push({ path, rule, message });
  }

  private element(el: unknown, path: string, place: Place): void {
    if (!isObj(el)) return this.add(path, 'type', `${path} must be a component object with a tag`);
    const tag = el.tag;
    if (tag === undefined) return this.add(`${path}.tag`, 'required', `${path}.tag is required`);
    if (typeof tag !== 'string') return this.add(`${path}.tag`, 'type', `${path}.tag must be a string`);
    if (this.v === 2 && (tag === 'note' || tag === 'action')) {
      const instead = tag === 'note' ? 'a div or markdown with text_size "notation" and text_color "grey"' : 'buttons placed directly in body.elements or a column_set';
      return this.add(`${path}.tag`, 'unsupported_in_v2', `"${tag}": cards of schema V2 no longer support this capability (platform error 200861); use ${instead}`);
    }
    const schema = this.schemas[tag];
    if (!schema) return this.add(`${path}.tag`, 'unknown_tag', `unknown component tag "${tag}" at ${path}`);
    this.placement(tag, path, place);

    const parsed = schema.safeParse(el, { reportInput: true });
    if (!parsed.success) for (const issue of parsed.error.issues) this.issues.push(fromZod(path, issue));
    this.extraRules(tag, el, path, place);

    const inner = CONTAINERS.has(tag) ? place.depth + 1 : place.depth;
    if (CONTAINERS.has(tag) && inner > MAX_CONTAINER_DEPTH) {
      return this.add(path, 'max_depth', `${path} nests containers ${inner} deep; the platform allows ${MAX_CONTAINER_DEPTH}`);
    }
    switch (tag) {
      case 'column_set':
        if (Array.isArray(el.columns)) {
          el.columns.forEach((col, j) => {
            const at = `${path}.columns[${j}]`;
            if (isObj(col) && col.tag !== 'column') this.add(`${at}.tag`, 'enum', `${at}.tag must be "column"; got ${JSON.stringify(col.tag)}`);
            else this.element(col, at, { ...place, parent: 'column_set', depth: inner });
          });
        }
        return;
      case 'column':
        return this.list(el.elements, `${path}.elements`, { ...place, parent: 'column' });
      case 'form': {
        const form: Form = { path, hasSubmit: false };
        this.list(el.elements, `${path}.elements`, { parent: 'form', depth: inner, form });
        if (Array.isArray(el.elements) && !form.hasSubmit) {
          this.add(`${path}.elements`, 'missing_submit', `form ${path} needs a submit button (form_action_type "submit", or action_type "form_submit")`);
        }
        return;
      }
      case 'collapsible_panel':
      case 'interactive_container':
        return this.list(el.elements, `${path}.elements`, { ...place, parent: tag, depth: inner });
      case 'action':
        return this.list(el.actions, `${path}.actions`, { ...place, parent: 'action' });
      case 'note':
        return this.noteElements(el.elements, `${path}.elements`);
    }
  }

  /** Where a component may stand. */
  private placement(tag: string, path: string, place: Place): void {
    const p = place.parent;
    if (tag === 'column' && p !== 'column_set') this.add(`${path}.tag`, 'invalid_nesting', `a column may only stand in a column_set's columns (${path})`);
    if ((tag === 'form' || tag === 'table') && p !== null) {
      this.add(`${path}.tag`, 'invalid_nesting', `a ${tag} may not be placed inside a container (${p}); put it at the top level`);
    }
    if (p === 'action' && !ACTION_CHILDREN.has(tag)) this.add(`${path}.tag`, 'invalid_nesting', `an action module holds buttons, selects, pickers and overflow menus, not "${tag}"`);
    if (this.v === 1 && tag === 'chart' && place.form) this.add(`${path}.tag`, 'invalid_nesting', 'schema 1.0 forms may not hold charts');
    if (this.v === 1 && tag === 'img_combination' && p === 'column') this.add(`${path}.tag`, 'invalid_nesting', 'schema 1.0 columns may not hold img_combination');
  }

  private extraRules(tag: string, el: Obj, path: string, place: Place): void {
    if (typeof el.name === 'string' && el.name !== '') {
      const first = this.names.get(el.name);
      if (first !== undefined) this.add(`${path}.name`, 'duplicate_name', `name "${el.name}" is already used at ${first}; names must be unique in the card`);
      else this.names.set(el.name, path);
    }
    if (place.form && FORM_FIELDS.has(tag) && el.name === undefined) {
      this.add(`${path}.name`, 'required', `${path}.name is required inside a form (the platform answers 200530 for a form component without name)`);
    }
    if (tag === 'button') {
      if (el.url !== undefined && el.multi_url !== undefined) this.add(`${path}.multi_url`, 'conflict', 'set url or multi_url on a button, not both');
      if (place.form && isSubmit(el)) place.form.hasSubmit = true;
    }
    if (this.v === 2 && tag === 'img' && el.size === 'stretch_without_padding') {
      this.add(`${path}.size`, 'unsupported_in_v2', 'size "stretch_without_padding" is gone in schema 2.0; use a negative margin such as "4px -12px"');
    }
  }

  /** A 1.0 note holds texts, small images and icons only. */
  private noteElements(list: unknown, path: string): void {
    if (!Array.isArray(list)) return;
    const { text: textSchema, img: imgSchema, icon: iconSchema } = noteSchemas(this.v);
    list.forEach((el, i) => {
      const at = `${path}[${i}]`;
      const tag = isObj(el) ? el.tag : undefined;
      const schema = tag === 'plain_text' || tag === 'lark_md' ? textSchema : tag === 'img' ? imgSchema : tag === 'standard_icon' || tag === 'custom_icon' ? iconSchema : undefined;
      if (!schema) return this.add(`${at}.tag`, 'invalid_nesting', `a note holds plain_text, lark_md, img and icon elements; got ${JSON.stringify(tag)}`);
      const parsed = schema.safeParse(el, { reportInput: true });
      if (!parsed.success) for (const issue of parsed.error.issues) this.issues.push(fromZod(at, issue));
    });
  }
}

function isSubmit(button: Obj): boolean {
  if (button.form_action_type === 'submit' || button.action_type === 'form_submit') return true;
  return Array.isArray(button.behaviors) && button.behaviors.some((b) => isObj(b) && b.type === 'form_action' && b.behavior === 'submit');
}
