import { html } from '../lib/html.js';
import { inline, markdown } from '../lib/markdown.js';
import { fileSize, safeUrl, textOf } from '../lib/format.js';
import { resourceUrl } from '../lib/api.js';

/** Message types other than cards, from their send-side content (reference §2.3). */

const EMOJI = { SMILE: '😊', OK: '👌', THUMBSUP: '👍', DONE: '✅', HEART: '❤️', LAUGH: '😄', FIRE: '🔥', CLAP: '👏', JIAYI: '➕', WAVE: '👋' };

function envOf(directory, userId) {
  return { nameOf: directory.nameOf, nameByEmail: directory.nameByEmail, selfId: userId };
}

function TextMessage({ content, env }) {
  return html`<div class="text-msg">${inline(content?.text ?? '', env)}</div>`;
}

function postNode(n, env, i) {
  if (!n || typeof n !== 'object') return null;
  const style = Array.isArray(n.style) ? n.style : [];
  const styled = (child) => {
    let out = child;
    if (style.includes('bold')) out = html`<strong>${out}</strong>`;
    if (style.includes('italic')) out = html`<em>${out}</em>`;
    if (style.includes('underline')) out = html`<u>${out}</u>`;
    if (style.includes('lineThrough')) out = html`<s>${out}</s>`;
    return out;
  };
  switch (n.tag) {
    case 'text':
      return styled(String(n.text ?? '').split('\n').flatMap((part, j) => (j ? [html`<br />`, part] : [part])));
    case 'a': {
      const url = safeUrl(n.href);
      return styled(url ? html`<a class="md-link" href=${url} target="_blank" rel="noopener noreferrer">${n.text || n.href}</a>` : n.text);
    }
    case 'at':
      return n.user_id === 'all' || n.user_id === '@_all'
        ? html`<span class="mention mention-all">@All</span>`
        : html`<span class="mention">@${env.nameOf(n.user_id) ?? n.user_name ?? n.user_id}</span>`;
    case 'emotion':
      return EMOJI[n.emoji_type] ?? `[${n.emoji_type}]`;
    default:
      return null;
  }
}

/** Block nodes of a post take a whole paragraph: img, media, code_block, hr, md. */
function postParagraph(p, env, i) {
  const nodes = Array.isArray(p) ? p : [];
  const block = nodes.find((n) => ['img', 'media', 'code_block', 'hr', 'md'].includes(n?.tag));
  if (block?.tag === 'img') return html`<img key=${i} class="post-img" src=${resourceUrl(block.image_key)} alt="" />`;
  if (block?.tag === 'media') return html`<div key=${i} class="post-media"><img src=${resourceUrl(block.image_key)} alt="" /><span class="play">▶</span></div>`;
  if (block?.tag === 'code_block') return html`<pre key=${i} class="md-pre" data-lang=${block.language || undefined}><code>${block.text}</code></pre>`;
  if (block?.tag === 'hr') return html`<hr key=${i} class="md-hr" />`;
  if (block?.tag === 'md') return html`<div key=${i} class="post-md">${markdown(block.text, env)}</div>`;
  return html`<p key=${i} class="post-p">${nodes.map((n, j) => postNode(n, env, j))}</p>`;
}

function PostMessage({ content, env }) {
  const body = content?.en_us ?? content?.zh_cn ?? content?.ja_jp ?? Object.values(content ?? {}).find((v) => v && typeof v === 'object' && Array.isArray(v.content)) ?? content;
  return html`<div class="post-msg">
    ${body?.title && html`<div class="post-title">${body.title}</div>`}
    ${(Array.isArray(body?.content) ? body.content : []).map((p, i) => postParagraph(p, env, i))}
  </div>`;
}

function FileChip({ file, fallbackKey, kind }) {
  const name = file?.name ?? fallbackKey ?? 'file';
  const ext = (/\.(\w{1,5})$/.exec(name)?.[1] ?? file?.type ?? kind).toUpperCase().slice(0, 4);
  return html`<a class="file-chip" href=${resourceUrl(file?.key ?? fallbackKey, { placeholder: false })} download=${name} data-testid="file-chip">
    <span class=${`file-icon file-${ext.toLowerCase()}`}>${ext}</span>
    <span class="file-info"><span class="file-name">${name}</span><span class="file-size">${file ? fileSize(file.size) : 'not in the emulator'}${file?.duration ? ` · ${Math.round(file.duration / 1000)} s` : ''}</span></span>
    <span class="file-download" title="Download">⤓</span>
  </a>`;
}

function SystemMessage({ content }) {
  const params = content?.params ?? {};
  const divider = params.divider_text;
  // An en_US client shows the English text when there is one.
  const text = divider ? divider.i18n_text?.en_US || divider.text || textOf(divider) : content?.template ?? 'System message';
  return html`<div class="system-divider"><span>${text}</span></div>`;
}

export function MessageContent({ message: m, directory, userId }) {
  const env = envOf(directory, userId);
  const c = m.content ?? {};
  switch (m.msg_type) {
    case 'text':
      return html`<${TextMessage} content=${c} env=${env} />`;
    case 'post':
      return html`<${PostMessage} content=${c} env=${env} />`;
    case 'image':
      return html`<a href=${resourceUrl(c.image_key)} target="_blank" rel="noopener"><img class="image-msg" src=${resourceUrl(c.image_key)} alt="image" /></a>`;
    case 'sticker':
      return html`<img class="sticker-msg" src=${resourceUrl(c.file_key)} alt="sticker" />`;
    case 'file':
    case 'audio':
    case 'media':
      return html`<${FileChip} file=${m.file} fallbackKey=${c.file_key} kind=${m.msg_type} />`;
    case 'share_chat':
      return html`<div class="share-card">
        <img class="avatar avatar-40" src=${`/__emulator/avatars/${c.chat_id}?size=80`} alt="" />
        <div><div class="share-name">${m.shared_chat?.name ?? 'Group'}</div><div class="share-desc">${m.shared_chat ? `${m.shared_chat.members} members` : c.chat_id}</div></div>
        <span class="share-kind">Group card</span>
      </div>`;
    case 'share_user':
      return html`<div class="share-card">
        <img class="avatar avatar-40" src=${`/__emulator/web/avatar/${encodeURIComponent(c.user_id)}`} alt="" />
        <div><div class="share-name">${directory.nameOf(c.user_id) ?? c.user_id}</div><div class="share-desc">Contact card</div></div>
      </div>`;
    case 'system':
      return html`<${SystemMessage} content=${c} />`;
    default:
      return html`<div class="unsupported">Unsupported message type: ${m.msg_type}</div>`;
  }
}
