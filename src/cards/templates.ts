import type { AnyCard, TemplateCard } from './types.js';

/**
 * A card built in Feishu's CardKit builder, sent by id with variables.
 * @example templateCard('AAqk1234', { name: 'Alice' }, '1.0.2')
 */
export function templateCard(templateId: string, variables?: Record<string, unknown>, version?: string): TemplateCard {
  return {
    type: 'template',
    data: {
      template_id: templateId,
      ...(version !== undefined && { template_version_name: version }),
      ...(variables !== undefined && { template_variable: variables }),
    },
  };
}

/** A local template: a function of the variables, or card JSON with `${name}` placeholders. */
export type TemplateSource<V> = ((vars: V) => AnyCard) | Record<string, unknown>;

/** A template could not be rendered (unknown name, missing variable). @example try { renderTemplate('x', {}) } catch (e) { if (e instanceof TemplateError) … } */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

const WHOLE = /^\$\{([A-Za-z_][\w.]*)\}$/;
const PART = /\$\{([A-Za-z_][\w.]*)\}/g;

function lookup(vars: Record<string, unknown>, path: string): unknown {
  let v: unknown = vars;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key)) throw new TemplateError(`template variable \${${path}} is not set`);
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * Fills `${name}` / `${a.b}` placeholders in string values of card JSON. A string that is only a
 * placeholder takes the variable's JSON value (number, list, object); elsewhere the value is
 * inserted as text. Works on parsed JSON, never on JSON source, so a value cannot break the
 * card's structure. A missing variable throws `TemplateError`.
 * @example fillPlaceholders({ tag: 'markdown', content: 'Hi ${name}' }, { name: 'Ann' }) // {tag:'markdown', content:'Hi Ann'}
 */
export function fillPlaceholders<T>(json: T, vars: Record<string, unknown>): T {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = WHOLE.exec(v);
      if (whole) return structuredClone(lookup(vars, whole[1]));
      return v.replace(PART, (_, path: string) => {
        const x = lookup(vars, path);
        return typeof x === 'string' ? x : JSON.stringify(x);
      });
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(json) as T;
}

/** A set of named local templates (use `createTemplates()` for an isolated set, e.g. in tests). */
export interface Templates {
  define<V extends Record<string, unknown>>(name: string, source: TemplateSource<V>): void;
  render<V extends Record<string, unknown>>(name: string, vars: V): AnyCard;
  has(name: string): boolean;
}

/**
 * A fresh template registry.
 * @example const t = createTemplates(); t.define('hi', { schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'Hi ${who}' }] } });
 */
export function createTemplates(): Templates {
  const sources = new Map<string, TemplateSource<any>>();
  return {
    define(name, source) {
      sources.set(name, typeof source === 'function' ? source : structuredClone(source));
    },
    render(name, vars) {
      const source = sources.get(name);
      if (!source) throw new TemplateError(`no card template named "${name}" (defineTemplate it first)`);
      return typeof source === 'function' ? source(vars) : (fillPlaceholders(source, vars) as AnyCard);
    },
    has: (name) => sources.has(name),
  };
}

const shared = createTemplates();

/**
 * Registers a named local template in the process-wide registry.
 * @example defineTemplate('deploy', ({ svc }: { svc: string }) => card2({}, [markdown(`Deploy **${svc}**?`)]))
 */
export function defineTemplate<V extends Record<string, unknown>>(name: string, source: TemplateSource<V>): void {
  shared.define(name, source);
}

/**
 * Renders a template registered with `defineTemplate`.
 * @example renderTemplate('deploy', { svc: 'api' })
 */
export function renderTemplate<V extends Record<string, unknown>>(name: string, vars: V): AnyCard {
  return shared.render(name, vars);
}
