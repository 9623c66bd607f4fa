/** What the sync engine uses of the Bitable capability (one import point). */
export { BitableClient, FieldType, READ_ONLY_TYPES, chunk, derivedClientToken, toWriteValue, fromReadValue, type BitableField, type BitableRecord, type FieldSpec } from '../bitable/index.js';
import { READ_ONLY_TYPES } from '../bitable/index.js';
export const isReadOnlyType = (type: number) => READ_ONLY_TYPES.has(type);
