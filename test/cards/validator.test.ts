import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { assertValidCard, CardValidationError, MAX_CARD_BYTES, templateCard, validateCard } from '../../src/cards/index.js';

const rules = (card: unknown) => {
  const r = validateCard(card);
  return r.ok ? [] : r.errors.map((e) => `${e.path} ${e.rule}`);
};

describe('validateCard', () => {
  it('reports every problem of a card at once, each with its path and rule', () => {
    const card = {
      schema: '2.0',
      config: { update_multi: false },
      header: { template: 'pink' },
      body: { elements: [{ tag: 'img', img_key: 'k' }, { tag: 'button', text: { tag: 'plain_text', content: 'x' }, type: 'huge' }, { tag: 'note', elements: [] }] },
    };
    expect(rules(card).sort()).toEqual(
      [
        'config.update_multi invalid_value',
        'header.title required',
        'header.template enum',
        'body.elements[0].alt required',
        'body.elements[1].type enum',
        'body.elements[2].tag unsupported_in_v2',
      ].sort(),
    );
  });

  it('rejects unknown fields in 2.0 and ignores them in 1.0, as the platform does', () => {
    const element = { tag: 'markdown', content: 'hi', colour: 'red' };
    expect(rules({ schema: '2.0', body: { elements: [element] } })).toEqual(['body.elements[0].colour unknown_field']);
    expect(rules({ elements: [element] })).toEqual([]);
    // localised twins of known fields are known too
    expect(rules({ schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'hi', i18n_content: { en_us: 'hi' } }] } })).toEqual([]);
  });

  it('measures the 30 KB limit in UTF-8 bytes of the JSON, and takes a smaller limit for webhooks', () => {
    const withText = (content: string) => ({ schema: '2.0', body: { elements: [{ tag: 'markdown', content }] } });
    const overhead = JSON.stringify(withText('')).length;
    expect(rules(withText('a'.repeat(MAX_CARD_BYTES - overhead)))).toEqual([]);
    expect(rules(withText('a'.repeat(MAX_CARD_BYTES - overhead + 1)))).toEqual([' max_size']);
    // 3 bytes per character: 10,300 characters are ~30.2 KB
    expect(rules(withText('汉'.repeat(10_300)))).toEqual([' max_size']);
    const webhook = validateCard(withText('a'.repeat(21_000)), { maxBytes: 20 * 1024 });
    expect(webhook.ok).toBe(false);
    if (!webhook.ok) expect(webhook.errors[0].message).toContain('20480');
  });

  it('counts text elements toward the 200-element limit of 2.0 cards, not of 1.0 cards', () => {
    const divs = (n: number) => Array.from({ length: n }, (_, i) => ({ tag: 'div', text: { tag: 'plain_text', content: `line ${i}` } }));
    expect(rules({ schema: '2.0', body: { elements: divs(100) } })).toEqual([]);
    expect(rules({ schema: '2.0', body: { elements: divs(101) } })).toEqual(['body.elements max_elements']);
    expect(rules({ elements: divs(150) })).toEqual([]);
  });

  it('does not count or police data inside callback values and table rows', () => {
    const value = { action: 'x', tag: 'not-a-component', element_id: '9 not an id' };
    const card = {
      schema: '2.0',
      body: { elements: [{ tag: 'button', text: { tag: 'plain_text', content: 'x' }, element_id: 'btn', behaviors: [{ type: 'callback', value }], value }] },
    };
    expect(rules(card)).toEqual([]);
  });

  it("accepts the official SDK's own card (messageCard.defaultCard)", () => {
    const card = JSON.parse(lark.messageCard.defaultCard({ title: 'Hello', content: '**from** the SDK' })) as unknown;
    expect(rules(card)).toEqual([]);
  });

  it('checks template cards by shape only', () => {
    expect(rules(templateCard('AAqk1234', { anything: { goes: [1, 2] } }, '1.0.3'))).toEqual([]);
    expect(rules({ type: 'template', data: {} })).toEqual(['data.template_id required']);
    expect(rules({ type: 'template' })).toEqual(['data required']);
  });

  it('says what is wrong in words a developer can act on', () => {
    const r = validateCard({ schema: '2.0', header: { title: { tag: 'plain_text', content: 't' }, template: 'pink' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message).toBe('header.template must be one of "blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "carmine", "violet", "purple", "indigo", "grey", "default"; got "pink"');
    expect(rules('{"schema":"2.0"}')).toEqual([' type']);
    expect(rules(null)).toEqual([' type']);
  });
});

describe('assertValidCard', () => {
  it('returns a valid card unchanged', () => {
    const card = { schema: '2.0', body: { elements: [{ tag: 'hr' }] } };
    expect(assertValidCard(card)).toBe(card);
  });

  it('throws a CardValidationError whose message lists each path and rule', () => {
    const bad = { schema: '2.0', body: { elements: [{ tag: 'markdown', content: 'x' }, { tag: 'div', text: { tag: 'rich', content: 'x' } }] }, elements: [] };
    let error: unknown;
    try {
      assertValidCard(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CardValidationError);
    const e = error as CardValidationError;
    expect(e.errors.map((x) => `${x.path} ${x.rule}`)).toEqual(['elements unknown_field', 'body.elements[1].text.tag enum']);
    expect(e.message).toContain('invalid card (2 problems)');
    expect(e.message).toContain('body.elements[1].text.tag: enum');
    expect(e.message).toContain('elements: unknown_field');
    expect(e.message).toContain('in 2.0 components go in body.elements');
  });
});
