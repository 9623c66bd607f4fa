import type { FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { AuthState } from './state.js';

const DOCS = 'https://open.feishu.cn/document/uAjLw4CM/ugTN1YjL4UTN24CO1UjN/trouble-shooting';

/**
 * Where a developer adds a scope: the platform links its developer console
 * (`open.feishu.cn/app/<app_id>/auth?q=…&op_from=openapi&token_type=…`); the emulator links its own
 * (the web client's Developer Console page, the scopes asked for highlighted).
 */
export function consoleScopeUrl(ctx: EmulatorContext, appId: string, scopes: readonly string[], tokenType: 'tenant' | 'user'): string {
  return `${ctx.baseUrl()}/#/developer/${encodeURIComponent(appId)}?q=${scopes.join(",")}&op_from=openapi&token_type=${tokenType}`;
}

/**
 * The gateway's scope check, after the token is known: `required` is the API's declared scopes
 * (any one suffices). An app with its default `'all'` passes everything. Otherwise a tenant (or app)
 * token needs one of them in the app's granted list, else 99991672; a user token needs one the app
 * has (else 99991672 too, for the user identity) and one the person granted (else 99991679).
 * Both answer HTTP 400, as the platform's permission errors do.
 */
export function checkScopes(ctx: EmulatorContext, request: FastifyRequest, required: readonly string[] | undefined): void {
  const auth = request.auth;
  if (!auth || !required?.length) return;
  const state = ctx.slice(AuthState);
  const granted = state.scopesOf(auth.appId);
  if (granted === 'all') return;
  const tokenType = auth.kind === 'user' ? 'user' : 'tenant';
  const list = `[${required.join(', ')}]`;
  const refuse = (code: 99991672 | 99991679, err: ApiError): never => {
    state.noteRefusal({
      time: ctx.clock.now(),
      app_id: auth.appId,
      method: request.method,
      path: request.url.split('?')[0],
      code,
      token_type: tokenType,
      required: [...required],
      log_id: request.logId,
    });
    throw err;
  };

  if (!required.some((s) => granted.includes(s))) {
    const url = consoleScopeUrl(ctx, auth.appId, required, tokenType);
    const identity = tokenType === 'user' ? '用户身份权限' : '应用身份权限';
    refuse(
      99991672,
      new ApiError(400, 99991672, `Access denied. One of the following scopes is required: ${list}.应用尚未开通所需的${identity}：${list}，点击链接申请并开通任一权限即可：${url}`, {
        errorMessage: `Refer to the documentation to fix the error: ${DOCS}/how-to-fix-the-99991672-error`,
        permissionViolations: required.map((s) => ({ type: 'action_scope_required', subject: s, scope: s, url })),
        helps: [{ url, description: `Learn more about scopes and how to add them: ${list}` }],
      }),
    );
  }
  if (auth.kind === 'user' && auth.scopes && !required.some((s) => auth.scopes!.includes(s))) {
    refuse(
      99991679,
      new ApiError(
        400,
        99991679,
        `Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again. required one of these privileges: ${list}.应用未获取所需的用户授权：${list}`,
        {
          errorMessage: `Refer to the documentation to fix the error: ${DOCS}/how-to-resolve-error-99991679`,
          permissionViolations: required.map((s) => ({ type: 'action_privilege_required', subject: s, scope: s })),
        },
      ),
    );
  }
}
