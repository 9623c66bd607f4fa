export type ReceiveIdType = 'open_id' | 'union_id' | 'user_id' | 'email' | 'chat_id';

/**
 * Who a message goes to: an id whose type is guessed from its shape (oc_ chat, ou_ open_id,
 * on_ union_id, anything with @ an email, else a user_id), or an explicit `{ type: id }`.
 */
export type Recipient = string | Partial<Record<ReceiveIdType, string>>;

/**
 * The receive_id_type and receive_id of a recipient.
 *
 * @example
 * resolveRecipient('alice@example.com') // { type: 'email', id: 'alice@example.com' }
 */
export function resolveRecipient(to: Recipient): { type: ReceiveIdType; id: string } {
  if (typeof to === 'string') {
    const id = to.trim();
    if (!id) throw new TypeError('recipient is empty');
    if (id.startsWith('oc_')) return { type: 'chat_id', id };
    if (id.startsWith('ou_')) return { type: 'open_id', id };
    if (id.startsWith('on_')) return { type: 'union_id', id };
    if (id.includes('@')) return { type: 'email', id };
    return { type: 'user_id', id };
  }
  const entries = Object.entries(to).filter(([, v]) => typeof v === 'string' && v);
  if (entries.length !== 1) throw new TypeError('recipient must name exactly one of open_id, union_id, user_id, email, chat_id');
  const [type, id] = entries[0] as [ReceiveIdType, string];
  if (!['open_id', 'union_id', 'user_id', 'email', 'chat_id'].includes(type)) throw new TypeError(`unknown receive id type ${type}`);
  return { type, id };
}
