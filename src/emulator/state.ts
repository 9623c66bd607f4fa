import type { EmulatorContext } from './context.js';
import { AuthState } from './auth/index.js';
import { DirectoryState, type UserIdType } from './directory/index.js';
import { ImState } from './im/index.js';
import { WebhookBotState } from './webhook-bot/index.js';
import type { ApiCallRecord, AppRecord, ChatRecord, UserRecord } from './types.js';

export type { UserIdType };

/**
 * `EmulatorHandle.state`: the first products' data in one place, as tests and the test kit
 * have always read it. Each getter delegates to its product's slice; the slices own the data.
 * A new product is not added here: reach it with `emulator.context.slice(ItsState)`.
 */
export class EmulatorState {
  constructor(private readonly ctx: EmulatorContext) {}

  private get auth() {
    return this.ctx.slice(AuthState);
  }
  private get directory() {
    return this.ctx.slice(DirectoryState);
  }
  private get im() {
    return this.ctx.slice(ImState);
  }

  get apps() {
    return this.auth.apps;
  }
  get defaultApp(): AppRecord {
    return this.auth.defaultApp;
  }
  get appTickets() {
    return this.auth.appTickets;
  }
  get tenantKey(): string {
    return this.directory.tenantKey;
  }
  get users(): UserRecord[] {
    return this.directory.users;
  }
  get departments() {
    return this.directory.departments;
  }
  get chats() {
    return this.im.chats;
  }
  get messages() {
    return this.im.messages;
  }
  get uploads() {
    return this.im.uploads;
  }
  get webhookBots() {
    return this.ctx.slice(WebhookBotState).bots;
  }
  get calls(): ApiCallRecord[] {
    return this.ctx.calls.list;
  }

  findUser(id: string, type?: UserIdType): UserRecord | undefined {
    return this.directory.findUser(id, type);
  }
  userIdOf(user: UserRecord, type: string | undefined): string {
    return this.directory.userIdOf(user, type);
  }
  p2pChat(appId: string, user: UserRecord): ChatRecord {
    return this.im.p2pChat(appId, user);
  }
  /** Every product back to its seed (as `POST /__emulator/reset`). */
  reset(): void {
    this.ctx.products.reset();
  }
}
