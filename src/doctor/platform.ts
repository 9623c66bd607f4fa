import type { HubConfig } from '../config/index.js';
import type { Check } from './types.js';

const TIMEOUT_MS = 5000;

/** A Feishu answer's business code and message, with the response's Date header (for the clock check). */
interface TokenAnswer {
  code?: number;
  msg?: string;
  date?: string;
}

async function fetchToken(config: HubConfig): Promise<TokenAnswer> {
  const res = await fetch(`${config.domain}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ app_id: config.app.appId, app_secret: config.app.appSecret }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json().catch(() => ({}))) as { code?: number; msg?: string };
  return { code: body.code, msg: body.msg, date: res.headers.get('date') ?? undefined };
}

const why = (err: unknown) => {
  const e = err as { cause?: { code?: string; message?: string }; name?: string; message?: string };
  if (e?.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
};

/**
 * The app's credentials (a tenant token fetched with them), the reachability of the Feishu domain,
 * and the clock against the platform's (signatures and event timestamps are checked within minutes).
 */
export async function platformChecks(config: HubConfig): Promise<Check[]> {
  if (config.sandbox) {
    return [
      {
        id: 'credentials',
        title: 'Feishu app credentials',
        status: 'skip',
        detail: 'no FEISHU_APP_ID: the hub runs against its built-in local Feishu (sandbox)',
        fix: "to connect to Feishu, set FEISHU_APP_ID and FEISHU_APP_SECRET from your app's Credentials & Basic Info page",
      },
    ];
  }
  let answer: TokenAnswer;
  try {
    answer = await fetchToken(config);
  } catch (err) {
    return [
      {
        id: 'domain',
        title: `Feishu reachable at ${config.domain}`,
        status: 'fail',
        detail: `could not reach ${config.domain} (${why(err)})`,
        fix: 'check the network, a proxy (HTTPS_PROXY) and FEISHU_DOMAIN ("feishu", "lark", or your private deployment\'s base URL)',
      },
    ];
  }
  const checks: Check[] = [{ id: 'domain', title: `Feishu reachable at ${config.domain}`, status: 'ok', detail: 'answered' }];
  if (answer.code === 0) checks.push({ id: 'credentials', title: 'Feishu app credentials', status: 'ok', detail: `a tenant access token was issued for ${config.app.appId}` });
  else if (answer.code === 10015 || answer.code === 10014) {
    checks.push({
      id: 'credentials',
      title: 'Feishu app credentials',
      status: 'fail',
      detail: `Feishu refused FEISHU_APP_SECRET for ${config.app.appId} (${answer.code}: ${answer.msg})`,
      fix: "FEISHU_APP_SECRET is wrong: copy the App Secret from the app's Credentials & Basic Info page (reset it there if it leaked)",
    });
  } else if (answer.code === 10003 || answer.code === 10013) {
    checks.push({
      id: 'credentials',
      title: 'Feishu app credentials',
      status: 'fail',
      detail: `Feishu does not know the app ${config.app.appId} (${answer.code}: ${answer.msg})`,
      fix: "FEISHU_APP_ID is wrong, or the app is on the other platform: check the App ID on the app's page, and FEISHU_DOMAIN (feishu or lark)",
    });
  } else {
    checks.push({ id: 'credentials', title: 'Feishu app credentials', status: 'fail', detail: `no token: ${answer.code}: ${answer.msg}`, fix: 'look the code up in the Feishu error code list; the app may be disabled or not yet released' });
  }
  if (answer.date) {
    const skewS = Math.round((Date.now() - Date.parse(answer.date)) / 1000);
    const abs = Math.abs(skewS);
    checks.push({
      id: 'clock',
      title: 'clock against Feishu',
      status: abs > 60 ? 'fail' : abs > 5 ? 'warn' : 'ok',
      detail: abs <= 1 ? 'in step' : `this machine is ${abs} s ${skewS > 0 ? 'ahead of' : 'behind'} Feishu`,
      ...(abs > 5 ? { fix: 'sync the clock (NTP: timedatectl set-ntp true); pushes older than a few minutes are refused as replays' } : {}),
    });
  }
  return checks;
}
