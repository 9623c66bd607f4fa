/**
 * The sso section `npm start` uses when feishu-hub.yaml has none (sandbox, the emulator's seeded
 * people): Alice is an admin, Bob's system account is `bli` (config binding), everyone else is
 * bound at login by the local part of their email.
 */
export const ssoSandboxConfig = {
  admins: ['alice@example.com'],
  bindings: { 'bob@example.com': 'bli' },
};
