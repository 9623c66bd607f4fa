import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { pickLocale } from '../lib/format.js';
import { renderElements } from './render.js';
import { CardHeader } from './header.js';
// Element families register their tags on import.
import './text.js';
import './layout.js';
import './buttons.js';
import './selects.js';
import './inputs.js';
import './table.js';

function TemplateCard({ data }) {
  const vars = data?.template_variable;
  return html`<div class="card card-template" data-card-schema="template">
    <div class="c-template">
      <div class="c-template-title">Template card</div>
      <div class="c-template-id">template_id <code>${data?.template_id ?? '(missing)'}</code>${data?.template_version_name && html` · version <code>${data.template_version_name}</code>`}</div>
      <div class="c-template-note">Templates live in Feishu's card builder; the emulator cannot draw them offline.</div>
      ${vars && html`<pre class="c-template-vars">${JSON.stringify(vars, null, 2)}</pre>`}
    </div>
  </div>`;
}

/**
 * An interactive card from its JSON (schema 1.0 or 2.0). Clicks go through `onAct(message, action)`,
 * which answers with the callback's outcome; the updated card arrives with the next state.
 */
export function Card({ message, directory, userId, onAct }) {
  const [busy, setBusy] = useState(false);
  const card = message.content;
  if (!card || typeof card !== 'object') return html`<div class="card"><div class="c-unsupported">unreadable card content</div></div>`;
  if (card.type === 'template') return html`<${TemplateCard} data=${card.data} />`;
  if (card.type === 'card') {
    return html`<div class="card card-template" data-card-schema="entity"><div class="c-template">
      <div class="c-template-title">Card entity</div>
      <div class="c-template-id">card_id <code>${card.data?.card_id}</code></div>
    </div></div>`;
  }
  const v2 = card.schema === '2.0';
  const header = card.header ?? pickLocale(card.i18n_header);
  const elements = v2 ? card.body?.elements : (card.elements ?? pickLocale(card.i18n_elements));
  const width = card.config?.width_mode ?? (card.config?.wide_screen_mode === false ? 'compact' : 'default');
  const cx = {
    v2,
    directory,
    env: { nameOf: directory.nameOf, nameByEmail: directory.nameByEmail, selfId: userId },
    form: null,
    busy,
    act: async (action) => {
      setBusy(true);
      try {
        return await onAct(message, action);
      } finally {
        setBusy(false);
      }
    },
  };
  const body = v2 ? card.body ?? {} : {};
  const bodyStyle = {
    ...(typeof body.padding === 'string' ? { padding: body.padding } : {}),
    ...(body.direction === 'horizontal' ? { display: 'flex', flexDirection: 'row', gap: '8px' } : {}),
  };
  return html`<div class=${`card w-${width} ${busy ? 'card-busy' : ''}`} data-card-schema=${v2 ? '2.0' : '1.0'}>
    ${header && html`<${CardHeader} header=${header} cx=${cx} />`}
    ${Array.isArray(elements) && elements.length > 0 && html`<div class="card-body" style=${bodyStyle}>${renderElements(elements, cx)}</div>`}
  </div>`;
}
