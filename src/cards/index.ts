/**
 * Interactive cards: typed builders for schema 2.0 (primary) and 1.0, a validator that names the
 * JSON path and rule of every problem, and templates (local named ones and Feishu template cards).
 *
 * @example
 * import { card2, header, markdown, button, assertValidCard } from 'feishu-hub';
 * const card = card2({ header: header('Deploy api?', { template: 'orange' }) }, [
 *   markdown('**prod** · 12 pods'),
 *   button('Approve', { type: 'primary', action: 'deploy.approve', value: { svc: 'api' } }),
 * ]);
 * assertValidCard(card);
 */
export * from './builders/index.js';
export * from './validate/index.js';
export { templateCard, defineTemplate, renderTemplate, createTemplates, fillPlaceholders, TemplateError, type Templates, type TemplateSource } from './templates.js';
export {
  HEADER_TEMPLATES, TEXT_TAG_COLORS, BUTTON_TYPES, BUTTON_SIZES,
  type AnyCard, type Card1, type Card2, type TemplateCard, type CardElement, type CardHeader, type CardConfig,
  type TextObject, type Behavior, type MultiUrl, type HeaderTemplate, type TextTagColor, type ButtonType, type ButtonSize, type Locale,
} from './types.js';
export { cardsCapability } from './capability.js';
export { ActionRouter, actionKeys, type ActionContext, type ActionListener, type ToastType } from './actions.js';
