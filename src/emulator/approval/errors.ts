import { ApiError } from '../errors.js';

/** The approval v4 business errors (§4): HTTP 400, except 1390009 (no permission) which is 403. */
export const approvalErrors = {
  param: (what: string) => new ApiError(400, 1390001, `param is invalid: ${what}`),
  approvalNotFound: () => new ApiError(400, 1390002, 'approval code not found'),
  instanceNotFound: () => new ApiError(400, 1390003, 'instance code not found'),
  userNotFound: (id: string) => new ApiError(400, 1390004, `user_id or open_id not found: ${id}`),
  subscribed: () => new ApiError(400, 1390007, 'subscription existed'),
  noPermission: (what: string) => new ApiError(403, 1390009, `no operation permission: ${what}`),
  taskNotFound: () => new ApiError(400, 1390010, 'task not found'),
  notActive: () => new ApiError(400, 1390015, 'approval is not active'),
};
