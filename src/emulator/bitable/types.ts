/** The stored shapes of a base (bitable app): tables, fields, views, records. Plain JSON (snapshots). */

export interface BitableField {
  field_id: string;
  field_name: string;
  type: number;
  ui_type: string;
  property: Record<string, unknown> | null;
  description?: { disable_sync?: boolean; text?: string };
}

/**
 * A cell as stored, by field type: text/phone/location/auto number a string, number/date a number,
 * single select the option name, multi select names, checkbox a boolean, user open_ids, links
 * record ids, URL `{text, link}`, attachments `{file_token, name, type, size}`, group chat ids.
 */
export type StoredValue = string | number | boolean | string[] | { text: string; link: string } | BitableAttachment[];

export interface BitableAttachment {
  file_token: string;
  name: string;
  type: string;
  size: number;
}

export interface BitableRecord {
  record_id: string;
  /** field_id → stored value (empty cells are absent). */
  fields: Record<string, StoredValue>;
  created_time: number;
  last_modified_time: number;
  /** open_id of the user who wrote it, '' for an app (tenant token). */
  created_by: string;
  last_modified_by: string;
  /** The auto-number serial of the record. */
  serial: number;
}

export interface BitableView {
  view_id: string;
  view_name: string;
  /** grid, kanban, gallery, gantt or form. */
  view_type: string;
  /** What PATCH …/views/:view_id set (absent until then). */
  property?: BitableViewProperty;
}

/** A view condition: the field by id, the search operators, the value as the JSON string the API takes. */
export interface BitableViewCondition {
  condition_id: string;
  field_id: string;
  field_type: number;
  operator: string;
  value?: string;
}

export interface BitableViewProperty {
  filter_info?: { conjunction: 'and' | 'or'; conditions: BitableViewCondition[] };
  /** field ids the view hides (the page; API reads are not changed by them). */
  hidden_fields?: string[];
  /** A grid's parent-child hierarchy: a link field to the same table. */
  hierarchy_config?: { field_id: string };
}

export interface BitableTable {
  table_id: string;
  name: string;
  revision: number;
  fields: BitableField[];
  views: BitableView[];
  records: BitableRecord[];
  next_serial: number;
}

export interface BitableApp {
  app_token: string;
  name: string;
  revision: number;
  time_zone: string;
  folder_token: string;
  tables: BitableTable[];
}

export interface BitableSnapshot {
  apps: BitableApp[];
  /** app_id → file tokens it subscribed (record-changed events go only to these). */
  subscriptions: Record<string, string[]>;
  /** `${app_id} ${route} ${client_token}` → the body hash and the answer it got. */
  client_tokens: Record<string, { hash: string; data: unknown }>;
}

/** Field types (reference §5.2). */
export const FT = {
  text: 1, number: 2, singleSelect: 3, multiSelect: 4, date: 5, checkbox: 7, user: 11, phone: 13, url: 15, attachment: 17,
  link: 18, lookup: 19, formula: 20, duplexLink: 21, location: 22, group: 23, stage: 24,
  createdTime: 1001, modifiedTime: 1002, createdUser: 1003, modifiedUser: 1004, autoNumber: 1005, button: 3001,
} as const;

/** The default ui_type of each type. */
export const UI_TYPES: Record<number, string> = {
  1: 'Text', 2: 'Number', 3: 'SingleSelect', 4: 'MultiSelect', 5: 'DateTime', 7: 'Checkbox', 11: 'User', 13: 'Phone', 15: 'Url',
  17: 'Attachment', 18: 'SingleLink', 19: 'Lookup', 20: 'Formula', 21: 'DuplexLink', 22: 'Location', 23: 'GroupChat', 24: 'Stage',
  1001: 'CreatedTime', 1002: 'ModifiedTime', 1003: 'CreatedUser', 1004: 'ModifiedUser', 1005: 'AutoNumber', 3001: 'Button',
};

/** ui_types a type accepts besides its default (§5.2). */
export const EXTRA_UI_TYPES: Record<number, string[]> = { 1: ['Barcode', 'Email'], 2: ['Progress', 'Currency', 'Rating'] };

/** Types that the first (primary) field may have. */
export const PRIMARY_TYPES = new Set([1, 2, 5, 13, 15, 20, 22]);

/** Types the API cannot write (computed by the base). */
export const READ_ONLY_TYPES = new Set([19, 20, 24, 1001, 1002, 1003, 1004, 1005, 3001]);
