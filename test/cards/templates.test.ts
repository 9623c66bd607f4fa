import { describe, expect, it } from 'vitest';
import { button, card2, createTemplates, defineTemplate, fillPlaceholders, header, markdown, renderTemplate, templateCard, TemplateError, validateCard } from '../../src/cards/index.js';

describe('Feishu template cards', () => {
  it('reference a CardKit template by id, version and variables', () => {
    expect(templateCard('AAqk1234', { name: 'Alice', count: 3 }, '1.0.2')).toEqual({
      type: 'template',
      data: { template_id: 'AAqk1234', template_version_name: '1.0.2', template_variable: { name: 'Alice', count: 3 } },
    });
    expect(templateCard('AAqk1234')).toEqual({ type: 'template', data: { template_id: 'AAqk1234' } });
  });
});

describe('local named templates', () => {
  it('render a function template with its variables', () => {
    defineTemplate('deploy-request', ({ svc, version }: { svc: string; version: string }) =>
      card2({ header: header(`Deploy ${svc}?`, { template: 'orange' }) }, [markdown(`Version **${version}**`), button('Approve', { action: 'deploy.approve', value: { svc } })]),
    );
    const card = renderTemplate('deploy-request', { svc: 'api', version: 'v2.3.0' });
    expect(validateCard(card).ok).toBe(true);
    expect(card).toMatchObject({ header: { title: { content: 'Deploy api?' } }, body: { elements: [{ content: 'Version **v2.3.0**' }, { behaviors: [{ value: { action: 'deploy.approve', svc: 'api' } }] }] } });
  });

  it('fill ${var} placeholders in card JSON: whole-string placeholders keep the JSON type', () => {
    const t = createTemplates();
    t.define('alert', {
      schema: '2.0',
      header: { title: { tag: 'plain_text', content: '[${sev}] ${title}' }, template: '${colour}' },
      body: {
        elements: [
          { tag: 'markdown', content: 'Owner: ${owner.name}, hits: ${hits}' },
          { tag: 'button', text: { tag: 'plain_text', content: 'Ack' }, behaviors: [{ type: 'callback', value: '${ackValue}' }] },
        ],
      },
    });
    const card = t.render('alert', { sev: 'SEV2', title: 'p99 > 2s', colour: 'red', owner: { name: 'Bob' }, hits: 12, ackValue: { action: 'alert.ack', id: 7 } });
    expect(card).toEqual({
      schema: '2.0',
      header: { title: { tag: 'plain_text', content: '[SEV2] p99 > 2s' }, template: 'red' },
      body: {
        elements: [
          { tag: 'markdown', content: 'Owner: Bob, hits: 12' },
          { tag: 'button', text: { tag: 'plain_text', content: 'Ack' }, behaviors: [{ type: 'callback', value: { action: 'alert.ack', id: 7 } }] },
        ],
      },
    });
    expect(validateCard(card).ok).toBe(true);
  });

  it('keep values that look like JSON or placeholders as plain text, so input cannot reshape the card', () => {
    const out = fillPlaceholders({ tag: 'markdown', content: 'Hi ${who}' }, { who: '"}, {"tag": "img' });
    expect(out).toEqual({ tag: 'markdown', content: 'Hi "}, {"tag": "img' });
    expect(fillPlaceholders({ content: '${a}' }, { a: '${b}', b: 'no' })).toEqual({ content: '${b}' });
  });

  it('fail loudly on a missing variable or an unknown template, and keep registries apart', () => {
    const t = createTemplates();
    t.define('x', { tag: 'markdown', content: '${missing.deep}' });
    expect(() => t.render('x', { missing: {} })).toThrow(TemplateError);
    expect(() => t.render('x', {})).toThrow('${missing.deep} is not set');
    expect(() => t.render('nope', {})).toThrow('no card template named "nope"');
    expect(t.has('deploy-request')).toBe(false);
  });

  it('copy the source on define, so later edits to it do not leak into renders', () => {
    const t = createTemplates();
    const source = { tag: 'markdown', content: 'v1 ${n}' };
    t.define('copy', source);
    source.content = 'changed';
    expect(t.render('copy', { n: 1 })).toEqual({ tag: 'markdown', content: 'v1 1' });
  });
});
