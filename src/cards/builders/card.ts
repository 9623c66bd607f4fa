import type { Card1, Card2, CardConfig, CardElement, CardHeader, MultiUrl } from '../types.js';

export interface Card2Options {
  header?: CardHeader;
  config?: CardConfig;
  card_link?: MultiUrl;
  /** Layout fields of the body (`direction`, `padding`, `vertical_spacing`…). */
  body?: Record<string, unknown>;
}

/**
 * A schema 2.0 card: components go directly into `body.elements` (buttons included).
 * @example card2({ header: header('Deploy', { template: 'blue' }) }, [markdown('Ready'), button('Go', { action: 'deploy.go' })])
 */
export function card2(options: Card2Options, elements: CardElement[]): Card2 {
  const { header, config, card_link, body } = options;
  return {
    schema: '2.0',
    ...(config !== undefined && { config }),
    ...(card_link !== undefined && { card_link }),
    ...(header !== undefined && { header }),
    body: { ...body, elements },
  };
}

export interface Card1Options {
  header?: CardHeader;
  /** `update_multi: true` is needed to update the card in place later (PATCH). */
  config?: CardConfig;
  card_link?: MultiUrl;
}

/**
 * A schema 1.0 card: buttons and selects go inside an `actionModule`.
 * @example card1({ header: header('Leave request') }, [div({ text: 'Alice: 2 days' }), actionModule([button('OK', { legacy: true, action: 'ok' })])])
 */
export function card1(options: Card1Options, elements: CardElement[]): Card1 {
  const { header, config, card_link } = options;
  return {
    ...(config !== undefined && { config }),
    ...(card_link !== undefined && { card_link }),
    ...(header !== undefined && { header }),
    elements,
  };
}
