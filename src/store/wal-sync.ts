import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes committed SQLite WAL frames durable without blocking the event loop.
 *
 * With `synchronous=FULL`, better-sqlite3 fsyncs inside each (synchronous) commit and the whole
 * process waits. Instead the store runs WAL with `synchronous=NORMAL` (SQLite then syncs only
 * around checkpoints) and callers that must not lose a write before answering (the inbox, before
 * Feishu's 200) await `sync()`: an fsync of the -wal file on libuv's thread pool. Calls that arrive
 * while one fsync runs share the next one (group commit). Durability equals FULL: a committed
 * frame is on disk before the promise resolves.
 */
export class WalSync {
  private handle?: Promise<FileHandle | undefined>;
  private running?: Promise<void>;
  private next?: Promise<void>;

  constructor(private readonly dbFile: string) {}

  /** Resolves once everything committed before the call is on stable storage. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.fsync().finally(() => (this.running = undefined));
      return this.running;
    }
    // An fsync is in flight but may have started before our commit: wait for the one after it.
    if (!this.next) {
      this.next = this.running.then(() => {
        this.next = undefined;
        return this.sync();
      });
    }
    return this.next;
  }

  async close(): Promise<void> {
    await this.running?.catch(() => {});
    const h = await this.handle?.catch(() => undefined);
    await h?.close().catch(() => {});
    this.handle = undefined;
  }

  private async fsync(): Promise<void> {
    this.handle ??= this.openOnce();
    const h = await this.handle;
    // fdatasync, as SQLite itself uses on Linux: the data and the file size, not the mtime.
    if (h) await h.datasync();
  }

  private async openOnce(): Promise<FileHandle | undefined> {
    // The -wal file was just created by the first commit: make its directory entry durable once.
    const dir = await open(dirname(this.dbFile), 'r');
    await dir.sync().catch(() => {});
    await dir.close();
    try {
      return await open(`${this.dbFile}-wal`, 'r');
    } catch {
      return open(this.dbFile, 'r');
    }
  }
}
