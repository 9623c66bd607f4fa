import { ConfigError, loadConfig, type HubConfig } from '../config/index.js';
import { platformChecks } from './platform.js';
import { pushUrlChecks } from './push-urls.js';
import { scopeChecks } from './scopes.js';
import { builtinCapabilities } from '../server/capabilities.js';
import type { Capability } from '../capability/index.js';
import { storeChecks } from './stores.js';
import type { Check, DoctorReport } from './types.js';

/** Every check, in the order a newcomer fixes things: the config, Feishu and the app's scopes, the push URLs, the stores. */
export async function runDoctor(load: () => HubConfig = () => loadConfig(), capabilities: readonly Capability<any>[] = builtinCapabilities): Promise<DoctorReport> {
  let config: HubConfig;
  try {
    config = load();
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
    const checks: Check[] = problems.map((p, i) => ({ id: `config-${i + 1}`, title: 'configuration', status: 'fail', detail: p, fix: 'fix the value in the environment or feishu-hub.yaml (see the README\'s Configuration table)' }));
    return { ok: false, checks };
  }
  const checks: Check[] = [{ id: 'config', title: 'configuration', status: 'ok', detail: config.file ? `valid (env and ${config.file})` : 'valid (env)' }];
  checks.push(...(await platformChecks(config)));
  const scopes = await scopeChecks(config, capabilities);
  checks.push(...scopes.checks);
  checks.push(...(await pushUrlChecks(config)));
  checks.push(...(await storeChecks(config)));
  return { ok: !checks.some((c) => c.status === 'fail'), checks, scopes: scopes.report };
}
