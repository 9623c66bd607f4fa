import type { Capability } from '../capability/index.js';
import { platformCapability } from '../platform/index.js';
import { eventsCapability } from '../events/index.js';
import { botCapability } from '../bot/index.js';
import { cardsCapability } from '../cards/index.js';
import { ssoCapability } from '../sso/index.js';
import { oidcCapability } from '../oidc/index.js';
import { approvalCapability } from '../approval/index.js';
import { alertsCapability } from '../alerts/index.js';
import { directoryCapability } from '../contact/index.js';
import { bitableCapability } from '../bitable/index.js';
import { syncCapability } from '../sync/index.js';
import { consoleCapability } from '../console/index.js';
import { doctorCapability } from '../doctor/capability.js';

/**
 * The hub's capabilities, in order (each may use what an earlier one contributed). The hub, the
 * CLI and src/index.ts read this list; a new capability is its folder plus one line here.
 */
export const builtinCapabilities: Capability<any>[] = [
  platformCapability,
  eventsCapability,
  botCapability,
  cardsCapability,
  ssoCapability,
  oidcCapability,
  approvalCapability,
  alertsCapability,
  directoryCapability,
  bitableCapability,
  syncCapability,
  doctorCapability,
  consoleCapability,
];
