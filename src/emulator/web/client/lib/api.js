/** The emulator's web JSON routes (`/__emulator/web/*`). Errors come back as `{error}`. */

async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  let json;
  try {
    json = await res.json();
  } catch {
    json = {};
  }
  if (!res.ok) return { error: json.error ?? `HTTP ${res.status}`, issues: json.issues };
  return json;
}

export const api = {
  state: (chatId, callsSince) => call('GET', `/__emulator/web/state?chat=${encodeURIComponent(chatId ?? '')}&calls_since=${callsSince ?? 0}`),
  send: (chatId, sender, text, parentId) => call('POST', '/__emulator/web/messages', { chat_id: chatId, sender, text, ...(parentId ? { parent_id: parentId } : {}) }),
  act: (messageId, operator, action) => call('POST', '/__emulator/web/actions', { message_id: messageId, operator, action }),
};

export const resourceUrl = (key, { placeholder = true } = {}) => `/__emulator/web/resources/${encodeURIComponent(key ?? '')}${placeholder ? '?placeholder=1' : ''}`;
