/**
 * Clean stops for long-running commands (`serve`, `dev`).
 *
 * The first SIGINT/SIGTERM runs `stop` (drain the workers, close the servers and the store), prints one
 * line and exits 0; a second signal exits at once with 130. A command started by `feishu-hub dev` also
 * stops on the parent's `{ type: 'stop', reason, quiet }` message (quiet: no line, before a restart) or
 * when the parent goes away (its IPC channel closes).
 *
 * Under `npm start`, npm passes SIGTERM only to its `sh -c` child, which dies without passing it on:
 * the node process would be left listening with no parent. So when npm started us (npm_lifecycle_event
 * is set) we also stop when our parent process goes away.
 *
 * @example
 * const running = await startHub(config);
 * handleShutdown(() => running.stop());
 */
export interface ShutdownOptions {
  /** The line printed once stopped (default "feishu-hub stopped"); null prints nothing. */
  line?: string | null;
  /** Past this, the process exits 1 without waiting further (default 15 s). */
  timeoutMs?: number;
  /** How often the parent is checked under npm (default 500 ms). */
  orphanCheckMs?: number;
  /** Runs before a second signal exits at once (e.g. kill a child process). */
  onForce?: () => void;
}

// The parent as it was when this process started: read later, a parent that already died reads as 1 (init).
const parentAtStart = process.ppid;

export function handleShutdown(stop: (reason: string) => Promise<void>, options: ShutdownOptions = {}): void {
  const { line = 'feishu-hub stopped', timeoutMs = 15_000, orphanCheckMs = 500, onForce } = options;
  let stopping = false;
  let orphanTimer: NodeJS.Timeout | undefined;

  const begin = (reason: string, quiet = false) => {
    if (stopping) return;
    stopping = true;
    if (orphanTimer) clearInterval(orphanTimer);
    setTimeout(() => {
      console.error(`feishu-hub: still stopping after ${Math.round(timeoutMs / 1000)} s (${reason}); exiting without waiting further`);
      process.exit(1);
    }, timeoutMs).unref();
    stop(reason).then(
      () => {
        if (line && !quiet) console.log(`${line} (${reason})`);
        process.exit(0);
      },
      (err: Error) => {
        console.error(`feishu-hub: error while stopping: ${err?.message ?? err}`);
        process.exit(1);
      },
    );
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`feishu-hub: ${signal} again, exiting without waiting for the shutdown to finish`);
      onForce?.();
      process.exit(130);
    }
    begin(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  if (process.send) {
    // Started by `feishu-hub dev`: it asks us to stop before a restart, and we stop if it dies.
    process.on('message', (m: unknown) => {
      const msg = (m ?? {}) as { type?: string; reason?: string; quiet?: boolean };
      if (msg.type === 'stop') begin(msg.reason ?? 'stop', msg.quiet);
    });
    process.on('disconnect', () => begin('dev watcher exited'));
  } else if (process.env.npm_lifecycle_event) {
    orphanTimer = setInterval(() => {
      if (process.ppid !== parentAtStart) begin('npm exited');
    }, orphanCheckMs);
    orphanTimer.unref();
  }
}
