import { describe, expect, it } from 'vitest';
import { BitableValueError, FieldType, fieldsFromRead, fieldsToWrite, fromReadValue, toWriteValue } from '../../src/bitable/index.js';

/** Read and write formats as the reference (§5.3, 多维表格记录数据结构) gives them. */
describe('bitable values: read format → plain JS', () => {
  it('text segments (text, mention, url) become one string; email and barcode too', () => {
    expect(fromReadValue(FieldType.Text, [{ type: 'text', text: 'Hello ' }, { type: 'mention', text: '@Ann', token: 'ou_1', mentionType: 'User', name: 'Ann' }, { type: 'url', text: ' docs', link: 'https://x.example' }])).toBe('Hello @Ann docs');
    expect(fromReadValue(FieldType.Text, [{ type: 'url', text: 'a@b.c', link: 'mailto:a@b.c' }])).toBe('a@b.c');
    expect(fromReadValue(FieldType.Text, 'already plain')).toBe('already plain');
    expect(fromReadValue(FieldType.Text, [])).toBe('');
  });

  it('numbers, selects, checkbox, phone, auto number', () => {
    expect(fromReadValue(FieldType.Number, 23.4)).toBe(23.4);
    expect(fromReadValue(FieldType.Number, '12')).toBe(12);
    expect(fromReadValue(FieldType.SingleSelect, '进行中')).toBe('进行中');
    expect(fromReadValue(FieldType.MultiSelect, ['a', 'b'])).toEqual(['a', 'b']);
    expect(fromReadValue(FieldType.Checkbox, true)).toBe(true);
    expect(fromReadValue(FieldType.Checkbox, false)).toBe(false);
    expect(fromReadValue(FieldType.Phone, '+8613800000000')).toBe('+8613800000000');
    expect(fromReadValue(FieldType.AutoNumber, '17')).toBe('17');
  });

  it('dates (also created/modified time) become Dates from ms epoch', () => {
    expect(fromReadValue(FieldType.DateTime, 1704153600000)).toEqual(new Date('2024-01-02T00:00:00Z'));
    expect(fromReadValue(FieldType.CreatedTime, 1704153600000)).toEqual(new Date(1704153600000));
    expect(fromReadValue(FieldType.ModifiedTime, null)).toBeNull();
  });

  it('users, created/modified by and group chats become ids', () => {
    const users = [{ id: 'ou_1', name: 'Ann', en_name: 'Ann', email: 'ann@x', avatar_url: 'https://a' }, { id: 'ou_2', name: 'Bob' }];
    expect(fromReadValue(FieldType.User, users)).toEqual(['ou_1', 'ou_2']);
    expect(fromReadValue(FieldType.CreatedUser, users[0])).toEqual(['ou_1']);
    expect(fromReadValue(FieldType.GroupChat, [{ id: 'oc_1', name: 'ops', avatar_url: 'x' }])).toEqual(['oc_1']);
  });

  it('links (one-way and two-way) become record ids, from both read shapes', () => {
    expect(fromReadValue(FieldType.SingleLink, { link_record_ids: ['recA', 'recB'] })).toEqual(['recA', 'recB']);
    expect(fromReadValue(FieldType.DuplexLink, [{ record_ids: ['recC'], table_id: 'tbl1', text: 'c', type: 'text' }])).toEqual(['recC']);
  });

  it('URL, attachments, location keep their objects', () => {
    expect(fromReadValue(FieldType.Url, { text: 'Feishu', link: 'https://www.feishu.cn' })).toEqual({ text: 'Feishu', link: 'https://www.feishu.cn' });
    const att = { file_token: 'boxcn1', name: 'a.png', type: 'image/png', size: 10, url: 'https://u', tmp_url: 'https://t' };
    expect(fromReadValue(FieldType.Attachment, [att])).toEqual([att]);
    const loc = { location: '116.397755,39.903179', pname: '北京市', cityname: '北京市', adname: '东城区', address: '天安门', name: '天安门广场', full_address: '北京市东城区天安门广场' };
    expect(fromReadValue(FieldType.Location, loc)).toEqual(loc);
  });

  it('formula and lookup read as the plain value of their inner type', () => {
    expect(fromReadValue(FieldType.Formula, { type: 1, value: [{ type: 'text', text: '✅ 正常' }] })).toBe('✅ 正常');
    expect(fromReadValue(FieldType.Formula, { type: 2, value: [42] })).toBe(42);
    expect(fromReadValue(FieldType.Lookup, { type: 2, value: [1, 2] })).toEqual([1, 2]);
    expect(fromReadValue(FieldType.Lookup, { type: 11, value: [{ id: 'ou_1', name: 'Ann' }] })).toEqual(['ou_1']);
  });

  it('unknown types and shapes stay raw; empty cells are null', () => {
    expect(fromReadValue(9999, { any: 'thing' })).toEqual({ any: 'thing' });
    expect(fromReadValue(FieldType.Stage, [{ x: 1 }])).toEqual([{ x: 1 }]);
    expect(fromReadValue(FieldType.Text, undefined)).toBeNull();
  });
});

describe('bitable values: plain JS → write format', () => {
  it('each writable type takes its documented shape', () => {
    expect(toWriteValue(FieldType.Text, 'hi')).toBe('hi');
    expect(toWriteValue(FieldType.Number, '3.5')).toBe(3.5);
    expect(toWriteValue(FieldType.SingleSelect, 'done')).toBe('done');
    expect(toWriteValue(FieldType.MultiSelect, 'a')).toEqual(['a']);
    expect(toWriteValue(FieldType.DateTime, new Date('2024-01-02T00:00:00Z'))).toBe(1704153600000);
    expect(toWriteValue(FieldType.DateTime, '2024-01-02T00:00:00Z')).toBe(1704153600000);
    expect(toWriteValue(FieldType.DateTime, 1704153600000)).toBe(1704153600000);
    expect(toWriteValue(FieldType.Checkbox, true)).toBe(true);
    expect(toWriteValue(FieldType.User, ['ou_1', 'ou_2'])).toEqual([{ id: 'ou_1' }, { id: 'ou_2' }]);
    expect(toWriteValue(FieldType.User, 'ou_1')).toEqual([{ id: 'ou_1' }]);
    expect(toWriteValue(FieldType.GroupChat, [{ id: 'oc_1', name: 'x' }])).toEqual([{ id: 'oc_1' }]);
    expect(toWriteValue(FieldType.Phone, '+8613800000000')).toBe('+8613800000000');
    expect(toWriteValue(FieldType.Url, 'https://x.example')).toEqual({ text: 'https://x.example', link: 'https://x.example' });
    expect(toWriteValue(FieldType.Url, { text: 'X', link: 'https://x.example' })).toEqual({ text: 'X', link: 'https://x.example' });
    expect(toWriteValue(FieldType.Attachment, [{ file_token: 'boxcn1', name: 'a.png' }, 'boxcn2'])).toEqual([{ file_token: 'boxcn1' }, { file_token: 'boxcn2' }]);
    expect(toWriteValue(FieldType.SingleLink, 'recA')).toEqual(['recA']);
    expect(toWriteValue(FieldType.DuplexLink, { link_record_ids: ['recA', 'recB'] })).toEqual(['recA', 'recB']);
    expect(toWriteValue(FieldType.Location, '116.397755,39.903179')).toBe('116.397755,39.903179');
    expect(toWriteValue(FieldType.Location, { location: '116.397755,39.903179', name: 'x' })).toBe('116.397755,39.903179');
  });

  it('null clears; a read value converted back round-trips', () => {
    expect(toWriteValue(FieldType.User, null)).toBeNull();
    const read = { Name: [{ type: 'text', text: 'Ann' }], Owner: [{ id: 'ou_1', name: 'Ann' }], Due: 1704153600000, Tags: ['a'], Parent: { link_record_ids: ['recP'] } };
    const schema = [
      { field_name: 'Name', type: FieldType.Text },
      { field_name: 'Owner', type: FieldType.User },
      { field_name: 'Due', type: FieldType.DateTime },
      { field_name: 'Tags', type: FieldType.MultiSelect },
      { field_name: 'Parent', type: FieldType.SingleLink },
    ];
    const plain = fieldsFromRead(read, schema);
    expect(plain).toEqual({ Name: 'Ann', Owner: ['ou_1'], Due: new Date(1704153600000), Tags: ['a'], Parent: ['recP'] });
    expect(fieldsToWrite({ ...plain, Unknown: { raw: 1 }, Skipped: undefined }, schema)).toEqual({ Name: 'Ann', Owner: [{ id: 'ou_1' }], Due: 1704153600000, Tags: ['a'], Parent: ['recP'], Unknown: { raw: 1 } });
  });

  it('refuses read-only types and values of the wrong shape, naming the field', () => {
    expect(() => toWriteValue(FieldType.Formula, 1, 'Total')).toThrow(BitableValueError);
    expect(() => toWriteValue(FieldType.Formula, 1, 'Total')).toThrow(/field "Total" \(type 20\): is computed/);
    expect(() => toWriteValue(FieldType.CreatedTime, Date.now())).toThrow(BitableValueError);
    expect(() => toWriteValue(FieldType.Number, 'abc', 'n')).toThrow(/not a number/);
    expect(() => toWriteValue(FieldType.DateTime, 'not a date', 'd')).toThrow(/a date must be/);
    expect(() => toWriteValue(FieldType.Checkbox, 'yes', 'c')).toThrow(/true or false/);
    expect(() => toWriteValue(FieldType.SingleSelect, ['a', 'b'], 's')).toThrow(/one option/);
  });
});
