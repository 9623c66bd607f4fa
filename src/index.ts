/**
 * feishu-hub: a framework, a service and a local Feishu in one package.
 *
 * @example
 * import { createHub } from 'feishu-hub';
 * const hub = createHub();
 * hub.command('/ping', ({ reply }) => reply.text('pong'));
 * await hub.start();
 */
export { createHub, Hub, builtinCapabilities } from './server/index.js';
export { defineCapability, type Capability, type ConfigSection, type JobDefinition, type HealthCheck, type SetupContext, type RuntimeContext, type CliContext, type HubCore, type HubExtensions, type AppModule } from './capability/index.js';
export type { HubOptions, EventContext, MessageContext, CommandContext, ActionContext, ActionListener, Reply, CardInput, Sender, ToastType } from './server/index.js';
export { startHub, type RunningHub, type StartOptions } from './sandbox/index.js';
export { createTestHub, type TestHub, type BotReply } from './testing/index.js';
export { startEmulator, DEV_CREDENTIALS, type EmulatorHandle, type EmulatorOptions } from './emulator/index.js';
export { loadConfig, createLogger, ConfigError, type HubConfig } from './config/index.js';
export { createPlatform, FeishuApiError, explainCode, paginate, requestOptions, type Platform, type PlatformOptions } from './platform/index.js';
export * from './cards/index.js';
export { botCapability, type BotConfig, type CommandInfo } from './bot/index.js';
export { Messenger, WebhookBot, uuidFrom, text, mention, mentionAll, post, card, image, file, shareChat, type Recipient, type SendOptions } from './bot/index.js';
export { approvalCapability, verifySignature, ApprovalForm, buildForm, readInstanceForm, ApprovalFormError, type ApprovalContext, type ApprovalHandle, type ApprovalsConfig } from './approval/index.js';
export { directoryCapability, type DirectoryApi, type DirectoryHook, type DirectoryStatus, type DirectoryUser, type DirectoryDepartment, type DirectoryChange, type UserChange, type DepartmentChange, type DirectoryConfig } from './contact/index.js';
export { bitableCapability, BitableClient, BitableTableHandle, BitableValueError, FieldType, fromReadValue, toWriteValue, fieldsFromRead, fieldsToWrite, BITABLE_LIMITS, type BitableRecord, type BitableField, type BitableTable, type FieldSpec, type RecordFilter, type SearchOptions, type WriteOptions, type PlainRecord, type PlainValue } from './bitable/index.js';
export { ssoCapability, ReauthRequiredError, checkReturnTo, ReturnToError, h5Snippet, type HubUser, type SsoApi, type AccountsApi, type Binding, type BindingSource, type UserClient, type SsoConfig } from './sso/index.js';
export { oidcCapability, type OidcApi, type OidcConfig, type OidcClientConfig, type KeyInfo } from './oidc/index.js';
