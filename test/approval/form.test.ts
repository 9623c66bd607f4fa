import { describe, expect, it } from 'vitest';
import { ApprovalForm, ApprovalFormError, buildForm, parseDefinitionForm, readInstanceForm, validateForm } from '../../src/approval/index.js';

// As `definition get` returns it: a JSON string, options under `option`.
const definitionForm = JSON.stringify([
  { id: 'reason', name: 'Reason', type: 'textarea', required: true },
  { id: 'title', name: 'Title', type: 'input' },
  { id: 'amount', name: 'Amount', type: 'amount', required: true },
  { id: 'count', name: 'Count', type: 'number' },
  { id: 'day', name: 'Day', type: 'date' },
  { id: 'trip', name: 'Trip', type: 'dateInterval' },
  { id: 'kind', name: 'Kind', type: 'radioV2', option: [{ value: 'travel', text: 'Travel' }, { value: 'meal', text: 'Meal' }] },
  { id: 'tags', name: 'Tags', type: 'checkboxV2', option: [{ value: 'a', text: 'A' }, { value: 'b', text: 'B' }] },
  { id: 'who', name: 'Who', type: 'contact' },
  { id: 'dept', name: 'Department', type: 'department' },
  { id: 'files', name: 'Files', type: 'attachmentV2' },
]);
const widgets = parseDefinitionForm(definitionForm);

describe('approval form builder', () => {
  it('writes every common widget in the shape instance create takes', () => {
    const form = new ApprovalForm(widgets)
      .textarea('reason', 'Offsite')
      .input('title', 'Q3')
      .amount('amount', 1200.5, 'CNY')
      .number('count', 3)
      .date('day', new Date('2024-01-15T01:00:00.000Z'))
      .dateInterval('trip', '2024-01-15T09:00:00+08:00', '2024-01-18T09:00:00+08:00')
      .radio('kind', 'travel')
      .checkbox('tags', ['a', 'b'])
      .contact('who', ['ou_1'])
      .department('dept', ['od-1'])
      .attachment('files', ['D936'])
      .toString();
    expect(typeof form).toBe('string');
    expect(JSON.parse(form)).toEqual([
      { id: 'reason', type: 'textarea', value: 'Offsite' },
      { id: 'title', type: 'input', value: 'Q3' },
      { id: 'amount', type: 'amount', value: 1200.5, currency: 'CNY' },
      { id: 'count', type: 'number', value: 3 },
      { id: 'day', type: 'date', value: '2024-01-15T01:00:00Z' },
      { id: 'trip', type: 'dateInterval', value: { start: '2024-01-15T09:00:00+08:00', end: '2024-01-18T09:00:00+08:00', interval: 3 } },
      { id: 'kind', type: 'radioV2', value: 'travel' },
      { id: 'tags', type: 'checkboxV2', value: ['a', 'b'] },
      { id: 'who', type: 'contact', value: ['ou_1'], open_ids: ['ou_1'] },
      { id: 'dept', type: 'department', value: [{ open_id: 'od-1' }] },
      { id: 'files', type: 'attachmentV2', value: ['D936'] },
    ]);
  });

  it('lists every problem with its widget id: unknown id, wrong type, bad value, bad option, missing required', () => {
    const form = new ApprovalForm(widgets)
      .input('nope', 'x')
      .number('reason', 1) // reason is a textarea
      .add({ id: 'count', type: 'number', value: '3' })
      .radio('kind', 'hotel')
      .checkbox('tags', ['a', 'z'])
      .add({ id: 'day', type: 'date', value: '15/01/2024' })
      .dateInterval('trip', '2024-01-18T09:00:00+08:00', '2024-01-15T09:00:00+08:00');
    let error: unknown;
    try {
      form.toString();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApprovalFormError);
    const problems = (error as ApprovalFormError).problems;
    const by = (id: string) => problems.filter((p) => p.widgetId === id).map((p) => p.message);
    expect(by('nope')[0]).toMatch(/no widget with this id/);
    expect(by('reason')[0]).toMatch(/type textarea/);
    expect(by('count')[0]).toMatch(/finite number, got "3"/);
    expect(by('kind')[0]).toMatch(/option "hotel" is not one of travel, meal/);
    expect(by('tags')[0]).toMatch(/option "z"/);
    expect(by('day')[0]).toMatch(/RFC 3339/);
    expect(by('trip')[0]).toMatch(/ends before it starts/);
    expect(by('amount')[0]).toMatch(/required \(Amount\) but not given/);
    expect((error as Error).message).toContain('amount: required');
  });

  it('checks amount currency, contacts and departments', () => {
    const problems = validateForm(widgets, [
      { id: 'reason', type: 'textarea', value: 'x' },
      { id: 'amount', type: 'amount', value: 10 },
      { id: 'who', type: 'contact', value: [] },
      { id: 'dept', type: 'department', value: ['od-1'] },
    ]);
    expect(problems.map((p) => p.widgetId)).toEqual(['amount', 'who', 'dept']);
  });

  it('fills from plain values by id or name, coercing strings (config templates, --field)', () => {
    const form = JSON.parse(buildForm(widgets, { Reason: 'Offsite', amount: '99.5 cny', Count: '2', Tags: 'a, b', Who: 'ou_1,ou_2', Department: 'od-1' }));
    expect(form).toEqual([
      { id: 'reason', type: 'textarea', value: 'Offsite' },
      { id: 'amount', type: 'amount', value: 99.5, currency: 'CNY' },
      { id: 'count', type: 'number', value: 2 },
      { id: 'tags', type: 'checkboxV2', value: ['a', 'b'] },
      { id: 'who', type: 'contact', value: ['ou_1', 'ou_2'], open_ids: ['ou_1', 'ou_2'] },
      { id: 'dept', type: 'department', value: [{ open_id: 'od-1' }] },
    ]);
    expect(() => buildForm(widgets, { Reason: 'x', Amount: '5 CNY', Colour: 'red' })).toThrow(/Colour: no widget with this id or name/);
  });

  it('reads an instance form back by widget id and name', () => {
    // As `instance get` returns it: names added, contacts with open_ids, numbers sometimes strings.
    const values = readInstanceForm(
      JSON.stringify([
        { id: 'reason', name: 'Reason', type: 'textarea', value: 'Offsite' },
        { id: 'amount', name: 'Amount', type: 'amount', value: '1200.50', currency: 'CNY' },
        { id: 'kind', name: 'Kind', type: 'radioV2', value: ['travel'] },
        { id: 'tags', name: 'Tags', type: 'checkboxV2', value: '["a","b"]' },
        { id: 'who', name: 'Who', type: 'contact', value: ['u1'], open_ids: ['ou_1'] },
        { id: 'dept', name: 'Department', type: 'department', value: [{ open_id: 'od-1' }] },
        { id: 'trip', name: 'Trip', type: 'dateInterval', value: { start: '2024-01-15T09:00:00+08:00', end: '2024-01-18T09:00:00+08:00', interval: 3 } },
      ]),
    );
    expect(values.byId.reason.value).toBe('Offsite');
    expect(values.byName.Amount).toMatchObject({ value: 1200.5, currency: 'CNY' });
    expect(values.byName.Kind.value).toBe('travel');
    expect(values.byName.Tags.value).toEqual(['a', 'b']);
    expect(values.byName.Who.value).toEqual(['ou_1']);
    expect(values.byName.Department.value).toEqual(['od-1']);
    expect(values.byId.trip.value).toMatchObject({ interval: 3 });
    expect(readInstanceForm('').items).toEqual([]);
  });
});
