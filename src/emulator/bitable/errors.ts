import { ApiError } from '../errors.js';

/**
 * Bitable's business errors (reference §5.4): HTTP 200 with the 1254xxx code, as the platform
 * answers them, except the few documented with 400. What was wrong goes in field_violations.
 */
const e = (code: number, msg: string, why?: string, status = 200) =>
  new ApiError(status, code, msg, why ? { fieldViolations: [{ field: 'bitable', description: why }] } : {});

export const bitableErrors = {
  wrongJson: (why: string) => e(1254000, 'WrongRequestJson', why),
  wrongBody: (why: string) => e(1254001, 'WrongRequestBody', why),
  fail: (why: string) => e(1254002, 'Fail', why),
  pageSize: (why: string) => e(1254011, 'Page size must greater than 0', why, 400),
  invalidSort: (why: string) => e(1254016, 'InvalidSort', why),
  invalidFilter: (why: string) => e(1254018, 'InvalidFilter', why),
  invalidFieldNames: (why: string) => e(1254024, 'InvalidFieldNames', why),
  baseNotFound: (token: string) => e(1254040, 'BaseTokenNotFound', `no base ${token}`),
  tableNotFound: (id: string) => e(1254041, 'TableIdNotFound', `no table ${id}`),
  viewNotFound: (id: string) => e(1254042, 'ViewIdNotFound', `no view ${id}`),
  recordNotFound: (id: string) => e(1254043, 'RecordIdNotFound', `no record ${id}`),
  fieldIdNotFound: (id: string) => e(1254044, 'FieldIdNotFound', `no field ${id}`),
  fieldNameNotFound: (name: string) => e(1254045, 'FieldNameNotFound', `no field named ${JSON.stringify(name)}`),
  conv: (type: number, name: string, why: string) => {
    const [code, msg] = CONV[type] ?? [1254010, 'ReqConvError'];
    return e(code, msg, `${name}: ${why}`, code === 1254074 ? 400 : 200);
  },
  viewLimit: (max: number) => e(1254101, 'ViewExceedLimit', `a base holds at most ${max} views`),
  tableLimit: () => e(1254100, 'TableExceedLimit', 'a base holds at most 100 tables'),
  recordLimit: (max: number) => e(1254103, 'RecordExceedLimit', `a table holds at most ${max} records`),
  batchTooLarge: (max: number) => e(1254104, 'RecordAddOnceExceedLimit', `at most ${max} records per call`),
  columnLimit: () => e(1254105, 'ColumnExceedLimit', 'a table holds at most 300 fields'),
  writeConflict: () => e(1254291, 'Write conflict', 'another write to this base is in progress'),
  operationType: (why: string) => e(1254301, 'OperationTypeError', why),
  clientTokenConflict: () => e(1255006, 'client token conflict', 'this client_token was used with another body', 400),
};

const CONV: Record<number, [number, string]> = {
  1: [1254060, 'TextFieldConvFail'],
  2: [1254061, 'NumberFieldConvFail'],
  3: [1254062, 'SingleSelectFieldConvFail'],
  4: [1254063, 'MultiSelectFieldConvFail'],
  5: [1254064, 'DatetimeFieldConvFail'],
  7: [1254065, 'CheckboxFieldConvFail'],
  11: [1254066, 'UserFieldConvFail'],
  18: [1254067, 'LinkFieldConvFail'],
  21: [1254074, 'DuplexLinkFieldConvFail'],
  15: [1254068, 'URLFieldConvFail'],
  17: [1254069, 'AttachFieldConvFail'],
  13: [1254072, 'PhoneFieldConvFail'],
};
