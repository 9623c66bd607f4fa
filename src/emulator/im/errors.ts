import { ApiError } from '../errors.js';

/**
 * The IM business errors (HTTP 400 + 230xxx/232xxx/234xxx), with the platform's messages
 * where they are documented. One place, so every route says the same thing for the same fault.
 */
export const imErrors = {
  invalidParam: (what: string) => new ApiError(400, 230001, `Your request contains an invalid request parameter: ${what}`),
  botNotInChat: () => new ApiError(400, 230002, 'Bot/User can NOT be out of the chat.'),
  recalled: () => new ApiError(400, 230011, 'The message was withdrawn.'),
  noAvailability: () => new ApiError(400, 230013, 'Bot has NO availability to this user.'),
  p2pNotShareable: () => new ApiError(400, 230015, 'P2P chat can NOT be shared.'),
  notResourceOwner: (key: string) => new ApiError(400, 230017, `Bot is NOT the owner of the resource: ${key}`),
  tooLong: (limitKb: number) => new ApiError(400, 230025, `The message content exceeds the size limit (${limitKb} KB).`),
  noRecallPermission: () => new ApiError(400, 230026, 'No permission to recall this message.'),
  updateExpired: () => new ApiError(400, 230031, 'The message exceeds the update time limit: cards can be updated within 14 days of sending.'),
  receiveIdInvalid: (id: string) => new ApiError(400, 230034, `The receive_id is invalid: ${id}`),
  openIdsNotExist: (id: string) => new ApiError(400, 99992351, `these open ids not existed: [${id}]`),
  unsupportedType: (what: string) => new ApiError(400, 230054, `This operation is not supported for this message type: ${what}`),
  typeMismatch: (what: string) => new ApiError(400, 230055, `The file type does not match the message type: ${what}`),
  notSender: () => new ApiError(400, 230071, 'The operator is not the sender of the message.'),
  editLimit: () => new ApiError(400, 230072, 'The message has reached the maximum number of edits (20).'),
  messageDeleted: () => new ApiError(400, 230110, 'The message has been deleted.'),
  /** 230099 carries the card sub-code in `msg`, as the platform does (`ext=ErrCode: N; ErrMsg: …`). */
  card: (subCode: number, errMsg: string, value = '') =>
    new ApiError(400, 230099, `Failed to create card content, ext=ErrCode: ${subCode}; ErrMsg: ${errMsg}; ErrorValue: ${value}; `),
  chatDissolved: () => new ApiError(400, 232009, 'Your request specifies a chat which has already been dissolved.'),
  // Resources (234xxx)
  resourceParam: (what: string) => new ApiError(400, 234001, `Invalid request param: ${what}`),
  resourceNotInMessage: () => new ApiError(400, 234003, 'File not in msg.'),
  resourceAppNotInChat: () => new ApiError(400, 234004, 'App not in chat.'),
  resourceTooBig: (limitMb: number) => new ApiError(400, 234006, `The file size exceeds the limit (${limitMb} MB).`),
  resourceNotOwner: () => new ApiError(400, 234008, 'The app is not the resource sender.'),
  resourceEmpty: () => new ApiError(400, 234010, 'File size cannot be 0.'),
  imageFormat: () => new ApiError(400, 234011, "Can't recognise image format."),
  imageResolution: (limit: number) => new ApiError(400, 234039, `Image resolution exceeds the limit (${limit} x ${limit}).`),
  resourceUnsupported: () => new ApiError(400, 234043, 'Unsupported message type for this resource request (stickers and cards are not supported).'),
};
