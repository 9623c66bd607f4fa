import type { ApiCallRecord } from './types.js';

/** Every platform API call the emulator answered, for inspection (`GET /__emulator/state`). */
export class CallLog {
  /** Calls kept; older ones are dropped. */
  static readonly MAX = 20_000;
  list: ApiCallRecord[] = [];
  private nextId = 1;

  record(call: Omit<ApiCallRecord, 'id'>): void {
    this.list.push({ id: this.nextId++, ...call });
    if (this.list.length > CallLog.MAX) this.list.splice(0, this.list.length - CallLog.MAX);
  }

  /** Calls after the one with id `since` (all when 0). */
  since(since: number): ApiCallRecord[] {
    return since ? this.list.filter((c) => c.id > since) : this.list;
  }

  clear(): void {
    this.list = [];
  }
}
