/**
 * An error the emulator answers with, in the platform's envelope. Route handlers
 * throw it; the server's error handler writes status, headers and body.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
    readonly extra: {
      headers?: Record<string, string>;
      fieldViolations?: { field: string; value?: string; description: string }[];
      /** Missing scopes: the documented `{scope, url}` with the `{type, subject}` the gateway's real answers carry. */
      permissionViolations?: { type?: string; subject?: string; scope: string; url?: string }[];
      helps?: { url: string; description: string }[];
      /** `error.message` when it differs from `msg` (the platform's "Refer to the documentation…"). */
      errorMessage?: string;
      /** auth/v3-style errors carry no `error` object. */
      bare?: boolean;
    } = {},
  ) {
    super(msg);
  }
}

export const invalidParam = (field: string, description: string, code = 99992402, status = 400): ApiError =>
  new ApiError(status, code, `field validation failed`, { fieldViolations: [{ field, description }] });

export const tokenErrors = {
  missing: () => new ApiError(400, 99991661, 'Missing access token for authorization. Please make a request with token attached.'),
  badFormat: () => new ApiError(400, 99991671, 'Invalid token: must start with t-/u-'),
  tenantInvalid: () => new ApiError(400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.'),
  appInvalid: () => new ApiError(400, 99991664, 'invalid app token'),
  userInvalid: () => new ApiError(400, 99991668, 'Invalid access token for authorization. Please make a request with token attached.'),
};
