/** `feishu-hub doctor`: checks an installation end to end and says what to fix. */
export { runDoctor } from './doctor.js';
export { registerDoctorCommand } from './cli.js';
export type { Check, DoctorReport } from './types.js';
export { scopeChecks, leastScopes, neededApis, type ScopeReport, type LeastScope, type MissingScope } from './scopes.js';
