import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The SQLite inbox's write path, on its own thread.
 *
 * better-sqlite3 is synchronous: on the main thread every insert, every WAL fsync wait and every
 * checkpoint (page copies plus two fsyncs) stalls the event loop that answers Feishu. Here a
 * worker thread with its own connection inserts each batch in one transaction, fdatasyncs the WAL
 * (unless durability was turned down) and answers; while it works the main thread gathers the next
 * batch (group commit). Checkpoints also happen on this thread: its connection checkpoints
 * automatically, and an idle timer catches frames written by the main connection.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('wal_autocheckpoint = 1000');
const insert = db.prepare(workerData.sql);
const insertAll = db.transaction((rows) => rows.map((r) => insert.run(r[0], r[1], r[2], r[3], r[4], r[5]).changes === 1));
let walFd;
function sync() {
  if (!workerData.fsyncWal) return;
  if (walFd === undefined) {
    // The -wal file may be new: make its directory entry durable once.
    const dir = fs.openSync(path.dirname(workerData.file), 'r');
    try { fs.fsyncSync(dir); } catch {}
    fs.closeSync(dir);
    try { walFd = fs.openSync(workerData.file + '-wal', 'r'); } catch { walFd = fs.openSync(workerData.file, 'r'); }
  }
  fs.fdatasyncSync(walFd);
}
let lastWrite = 0;
const idle = setInterval(() => {
  if (Date.now() - lastWrite < 500) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, 1000);
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    clearInterval(idle);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    if (walFd !== undefined) fs.closeSync(walFd);
    parentPort.postMessage({ type: 'closed' });
    return;
  }
  try {
    const inserted = insertAll(m.rows);
    sync();
    lastWrite = Date.now();
    parentPort.postMessage({ id: m.id, inserted });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

/** One inbox row as the writer inserts it: event_id, event_type, source, payload JSON, received_at, next_attempt_at. */
export type InboxRow = [string, string, string, string, number, number];

export interface SqliteWriterOptions {
  file: string;
  /** `synchronous` for the thread's connection. */
  synchronous: string;
  /** fdatasync the WAL after each batch (the default durability: FULL's, off the event loop). */
  fsyncWal: boolean;
  /** Called once if the thread fails; the caller falls back to writing on the main thread. */
  onFailure: (reason: string) => void;
}

export class SqliteWriter {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: boolean[]) => void; reject: (e: Error) => void }>();
  private closing = false;
  /** True once the thread died: callers use their own path from then on. */
  failed = false;

  constructor(
    private readonly sql: string,
    private readonly options: SqliteWriterOptions,
  ) {}

  /** Inserts the rows in one transaction, durable per the options; resolves with "was new" per row. */
  insert(rows: InboxRow[]): Promise<boolean[]> {
    if (this.failed || this.closing) return Promise.reject(new Error('the SQLite writer thread is not running'));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, rows });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const worker = this.worker;
    if (!worker || this.failed) return;
    const done = new Promise<void>((resolve) => {
      worker.on('message', (m: { type?: string }) => m.type === 'closed' && resolve());
      worker.once('exit', () => resolve());
    });
    worker.postMessage({ type: 'close' });
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000).unref())]);
    await worker.terminate();
  }

  // Started on first use: the inbox table exists by then (migrations ran).
  private start(): Worker {
    if (this.worker) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const { file, synchronous, fsyncWal } = this.options;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, synchronous, fsyncWal, driver, sql: this.sql } });
    worker.unref();
    worker.on('message', (m: { id?: number; inserted?: boolean[]; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.inserted!);
    });
    const fail = (reason: string) => {
      if (this.failed || this.closing) return;
      this.failed = true;
      for (const p of this.pending.values()) p.reject(new Error(reason));
      this.pending.clear();
      this.options.onFailure(reason);
    };
    worker.on('error', (err) => fail(`SQLite writer thread failed: ${err.message}`));
    worker.on('exit', (code) => fail(`SQLite writer thread exited (${code})`));
    this.worker = worker;
    return worker;
  }
}
