import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  actionModule, actionValue, button, card1, card2, collapsiblePanel, column, columnSet, confirm, datePicker, div, field, form, header, hr, img,
  input, interaction, larkMd, markdown, mention, multiSelectStatic, note, option, overflow, person, pickerDatetime, pickerTime, plainText,
  resetButton, selectPerson, selectStatic, submitButton, table, textTag, validateCard,
} from '../../src/cards/index.js';

const corpusCard = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'corpus', 'valid', `${name}.json`), 'utf8')) as unknown;
const expectValid = (card: unknown) => {
  const r = validateCard(card);
  expect(r.ok ? [] : r.errors).toEqual([]);
};

describe('card builders', () => {
  it('build the 1.0 approval card of the corpus: two short fields, a reason, a divider, Approve / Reject / View Details', () => {
    const request = { request_id: 'EXP-1042' };
    const card = card1({ config: { update_multi: true, wide_screen_mode: true }, header: header('Expense approval', { template: 'blue' }) }, [
      div({ fields: [field('**Applicant**\nAlice Chen', true), field('**Amount**\n¥1,280.00', true)] }),
      div({ text: larkMd('**Reason**\nClient dinner with ACME after the Q3 review.') }),
      hr(),
      actionModule([
        button('Approve', { type: 'primary', legacy: true, action: 'expense.approve', value: request }),
        button('Reject', { type: 'danger', legacy: true, action: 'expense.reject', value: request }),
        button('View Details', { type: 'default', legacy: true, url: 'https://expenses.example.com/requests/EXP-1042' }),
      ]),
    ]);
    expect(card).toEqual(corpusCard('ref-v1-approval'));
    expectValid(card);
  });

  it('build the 2.0 approval card of the corpus, buttons directly in the body with behaviors', () => {
    const request = { request_id: 'EXP-1042' };
    const half = (text: string) => column([markdown(text)], { width: 'weighted', weight: 1 });
    const auto = (el: ReturnType<typeof button>) => column([el], { width: 'auto' });
    const card = card2({ config: { update_multi: true }, header: header('Expense approval', { template: 'blue', subtitle: 'EXP-1042' }) }, [
      columnSet([half('**Applicant**\nAlice Chen'), half('**Amount**\n¥1,280.00')]),
      markdown('**Reason**\nClient dinner with ACME after the Q3 review.'),
      hr(),
      columnSet([
        auto(button('Approve', { type: 'primary_filled', action: 'expense.approve', value: request })),
        auto(button('Reject', { type: 'danger', action: 'expense.reject', value: request })),
        auto(button('View Details', { url: 'https://expenses.example.com/requests/EXP-1042' })),
      ], { flex_mode: 'flow' }),
    ]);
    expect(card).toEqual(corpusCard('ref-v2-approval'));
    expectValid(card);
  });

  it('put the routing key into the callback value, as behaviors or as classic fields', () => {
    expect(button('Go', { action: 'deploy.go', value: { svc: 'api' } })).toEqual({
      tag: 'button',
      text: { tag: 'plain_text', content: 'Go' },
      behaviors: [{ type: 'callback', value: { action: 'deploy.go', svc: 'api' } }],
    });
    expect(button('Go', { action: 'deploy.go', legacy: true })).toEqual({ tag: 'button', text: plainText('Go'), value: { action: 'deploy.go' } });
    // a bare string value is itself the routing key
    expect(interaction({ value: 'ack' })).toEqual({ behaviors: [{ type: 'callback', value: { action: 'ack' } }] });
    expect(interaction({ value: 'ack', legacy: true })).toEqual({ value: 'ack' });
    expect(interaction({ url: 'https://a.example', multi_url: { ios_url: 'lark://msgcard/unsupported_action' } })).toEqual({
      behaviors: [{ type: 'open_url', default_url: 'https://a.example', ios_url: 'lark://msgcard/unsupported_action' }],
    });
    expect(interaction({ url: 'https://a.example', multi_url: { pc_url: 'https://pc.example' }, legacy: true })).toEqual({
      multi_url: { url: 'https://a.example', pc_url: 'https://pc.example' },
    });
    expect(interaction({ multi_url: { pc_url: 'https://pc.example', android_url: 'https://m.example' } })).toEqual({
      behaviors: [{ type: 'open_url', default_url: 'https://pc.example', pc_url: 'https://pc.example', android_url: 'https://m.example' }],
    });
    expect(actionValue('incident.ack', { id: 12 })).toEqual({ action: 'incident.ack', id: 12 });
  });

  it('build selects, pickers, overflow menus and inputs that validate in a 2.0 form', () => {
    const card = card2({ header: header('Triage', { template: 'violet', tags: [textTag('SEV2', 'red')] }) }, [
      selectStatic([option('Production', 'prod'), option('Staging', 'stg')], { placeholder: 'Environment', initial_option: 'stg', action: 'triage.env' }),
      overflow([option('Silence 1h', 'silence_1h'), option('Runbook', 'runbook')], { action: 'triage.menu' }),
      pickerTime({ initial_time: '09:30', action: 'triage.time' }),
      form('triage', [
        multiSelectStatic([option('API', 'api'), option('Web', 'web')], { name: 'services', selected_values: ['api'] }),
        selectPerson({ name: 'owner', placeholder: 'Owner', candidates: ['ou_1', 'ou_2'] }),
        datePicker({ name: 'due', initial_date: '2024-05-01', placeholder: 'Due' }),
        pickerDatetime({ name: 'review', initial_datetime: '2024-05-02 10:00' }),
        input({ name: 'notes', placeholder: 'Notes', input_type: 'multiline_text', label: 'Notes', required: true }),
        columnSet([
          column([submitButton('Save', { name: 'save', type: 'primary', action: 'triage.save', confirm: confirm('Save?', 'Owners are notified') })], { width: 'auto' }),
          column([resetButton('Clear', { name: 'clear' })], { width: 'auto' }),
        ]),
      ]),
    ]);
    expectValid(card);
    const elements = card.body!.elements;
    expect(elements[0]).toEqual({
      tag: 'select_static',
      placeholder: { tag: 'plain_text', content: 'Environment' },
      options: [{ text: plainText('Production'), value: 'prod' }, { text: plainText('Staging'), value: 'stg' }],
      initial_option: 'stg',
      behaviors: [{ type: 'callback', value: { action: 'triage.env' } }],
    });
    const formChildren = elements[3].elements as unknown[];
    expect(formChildren[1]).toEqual({ tag: 'select_person', name: 'owner', placeholder: plainText('Owner'), options: [{ value: 'ou_1' }, { value: 'ou_2' }] });
    expect(formChildren[4]).toEqual({ tag: 'input', name: 'notes', placeholder: plainText('Notes'), label: plainText('Notes'), input_type: 'multiline_text', required: true });
    const saveColumn = (formChildren[5] as { columns: { elements: unknown[] }[] }).columns[0];
    expect(saveColumn.elements[0]).toMatchObject({ tag: 'button', name: 'save', form_action_type: 'submit', confirm: { title: plainText('Save?'), text: plainText('Owners are notified') } });
  });

  it('build display components: images, tables, panels, people, notes', () => {
    const v2 = card2({}, [
      img('img_v3_graph', 'Latency graph', { scale_type: 'fit_horizontal' }),
      table([{ name: 'svc', display_name: 'Service', data_type: 'text' }, { name: 'errors', data_type: 'number' }], [{ svc: 'api', errors: 3 }], { page_size: 5 }),
      collapsiblePanel('**Logs**', [markdown('`OOMKilled`')], { expanded: false }),
      person('ou_1', { size: 'small' }),
      markdown(`paging ${mention('ou_1')}`),
    ]);
    expectValid(v2);
    expect(v2.body!.elements[0]).toEqual({ tag: 'img', img_key: 'img_v3_graph', alt: { tag: 'plain_text', content: 'Latency graph' }, scale_type: 'fit_horizontal' });
    expect(v2.body!.elements[2]).toEqual({ tag: 'collapsible_panel', header: { title: { tag: 'markdown', content: '**Logs**' } }, elements: [{ tag: 'markdown', content: '`OOMKilled`' }], expanded: false });
    expect(v2.body!.elements[4]).toEqual({ tag: 'markdown', content: 'paging <at id=ou_1></at>' });

    const v1 = card1({}, [markdown('done'), note(['Sent by feishu-hub', larkMd('[settings](https://example.com)')])]);
    expectValid(v1);
    expect(v1.elements![1]).toEqual({ tag: 'note', elements: [plainText('Sent by feishu-hub'), larkMd('[settings](https://example.com)')] });
  });

  it('leave schema rules to the validator: a 1.0 note or action module in a 2.0 card is reported', () => {
    const card = card2({}, [note(['footer']), actionModule([button('OK', { action: 'ok' })])]);
    const r = validateCard(card);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => [e.path, e.rule])).toEqual([
        ['body.elements[0].tag', 'unsupported_in_v2'],
        ['body.elements[1].tag', 'unsupported_in_v2'],
      ]);
      expect(r.errors[0].message).toContain('no longer support');
    }
  });
});
