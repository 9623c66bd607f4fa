import { DEMO_CHAT_ID } from '../emulator/im/seed.js';

/**
 * The sandbox demo's alerts section (`npm start` with no feishu-hub.yaml): every source takes the
 * token kept in ./data/alerts-token (`feishu-hub alerts test` posts a sample with it); incidents go
 * to the demo group, @ the SRE on call (Bob, then Carol, weekly) and escalate to Alice; people are
 * bound to the alerting system by their directory email.
 */
export const alertsSandboxConfig = {
  sources: Object.fromEntries(['alertmanager', 'grafana', 'generic'].map((s) => [s, { credentials: [{ token_env: 'ALERTS_TOKEN', token_file: './data/alerts-token', generate: true }] }])),
  routes: [{ name: 'demo', chats: [DEMO_CHAT_ID], mention: ['schedule:sre'], escalate_to: ['alice'] }],
  schedules: { sre: { users: ['bob', 'carol'], starts_at: '2026-01-05T09:00:00+08:00' } },
  bindings: { by_email: true },
};
