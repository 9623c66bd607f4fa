import type { HubConfig } from '../config/index.js';
import type { Capability } from './define.js';

/**
 * Reads a capability's section: its `feishu-hub.yaml` key, then its env variables (env wins),
 * validated by its schema. Problems come back one line each, named as the user wrote them.
 */
export function parseCapabilityConfig(capability: Capability<any>, hubConfig: HubConfig, env: NodeJS.ProcessEnv = process.env): { value: unknown; problems: string[] } {
  const section = capability.config;
  if (!section) return { value: undefined, problems: [] };
  const yamlKey = section.yamlKey ?? capability.name;
  // In the sandbox demo a capability with no section in the file shows what it does with its demo section.
  const demo = capability.sandbox?.config;
  const fromFile = hubConfig.extra[yamlKey] ?? (hubConfig.sandbox ? (typeof demo === 'function' ? demo(hubConfig) : demo) : undefined);
  const problems: string[] = [];
  if (fromFile !== undefined && fromFile !== null && (typeof fromFile !== 'object' || Array.isArray(fromFile))) {
    return { value: undefined, problems: [`${yamlKey} in ${hubConfig.file ?? 'feishu-hub.yaml'} must be a mapping`] };
  }
  const raw = structuredClone((fromFile ?? {}) as Record<string, unknown>);
  const fromEnv = new Map<string, string>();
  for (const [variable, path] of Object.entries(section.env ?? {})) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    setPath(raw, path.split('.'), value);
    fromEnv.set(path, variable);
  }
  const result = section.schema.safeParse(raw);
  if (result.success) return { value: result.data, problems };
  for (const issue of result.error.issues) {
    const path = issue.path.join('.');
    const variable = fromEnv.get(path);
    problems.push(`${variable ?? (path ? `${yamlKey}.${path}` : yamlKey)} ${issue.message}`);
  }
  return { value: undefined, problems };
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}
