import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves SQLite WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside
 * whichever commit crosses the threshold, copying pages and fsyncing twice while the process
 * waits; under disk contention that is tens of milliseconds of stalled acks. Here the main
 * connection's auto-checkpoint is off and a worker thread with its own connection runs a PASSIVE
 * checkpoint every `intervalMs` (it does not block writers). If the thread dies, `onFailure` lets
 * the main connection take checkpoints back.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err) }); } };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage('closed');
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private closed = false;

  constructor(file: string, intervalMs: number, onFailure: (reason: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, driver } });
    this.worker.unref();
    this.worker.on('error', (err) => onFailure(`checkpoint thread failed: ${err.message}`));
    this.worker.on('exit', (code) => {
      if (!this.closed) onFailure(`checkpoint thread exited (${code})`);
    });
  }

  /** Runs a last checkpoint and stops the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => {
      this.worker.on('message', (m) => m === 'closed' && resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('close');
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([done, timeout]);
    await this.worker.terminate();
  }
}
