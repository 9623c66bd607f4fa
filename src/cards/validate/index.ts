export { validateCard, assertValidCard, formatIssues, CardValidationError, MAX_CARD_BYTES, MAX_V2_ELEMENTS, type CardValidationResult, type ValidateOptions } from './validate.js';
export { MAX_CONTAINER_DEPTH } from './walk.js';
export { cardValidationStats } from './stats.js';
export type { CardIssue, CardRule } from './issues.js';
