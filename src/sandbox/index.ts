import type { HubConfig } from '../config/index.js';
import { DEV_CREDENTIALS, startEmulator, type EmulatorHandle, type EmulatorOptions } from '../emulator/index.js';
import { createHub, type Hub, type HubOptions } from '../server/index.js';

export interface RunningHub {
  hub: Hub;
  /** Set in sandbox mode when this call started the local Feishu in-process. */
  emulator?: EmulatorHandle;
  /** In sandbox mode: the local Feishu's base URL (the in-process one, or the one given as `emulatorUrl`). */
  emulatorUrl?: string;
  stop(): Promise<void>;
}

export interface StartOptions extends Omit<HubOptions, 'config'> {
  /** Registers the app's listeners before start. */
  setup?: (hub: Hub) => unknown;
  emulator?: EmulatorOptions;
  /**
   * Sandbox mode against a local Feishu that is already running there (with its documented dev
   * credentials) instead of starting one: `feishu-hub dev` keeps one emulator across restarts of the
   * app, so the chats in the browser survive a save. It is left running on stop.
   */
  emulatorUrl?: string;
}

/**
 * Starts a hub. With no FEISHU_APP_ID (`config.sandbox`), it first starts the emulator in-process on
 * FEISHU_EMULATOR_PORT and wires the two together, as a developer would on the app's settings
 * page: a working bot with no Feishu account. The only place besides cli/ and tests that starts it.
 *
 * @example
 * const { hub, emulator, stop } = await startHub(loadConfig(), { setup: (hub) => hub.command('/hi', ({ reply }) => reply.text('hello')) });
 */
export async function startHub(config: HubConfig, options: StartOptions = {}): Promise<RunningHub> {
  const { setup, emulator: emulatorOptions, emulatorUrl: givenUrl, ...hubOptions } = options;
  let emulator: EmulatorHandle | undefined;
  let effective = config;
  let sandbox: { url: string; appId: string } | undefined;
  if (config.sandbox && givenUrl) {
    const url = givenUrl.replace(/\/+$/, '');
    sandbox = { url, appId: DEV_CREDENTIALS.appId };
    effective = { ...config, domain: url, app: devApp(DEV_CREDENTIALS) };
  } else if (config.sandbox) {
    const emulatorAt = { port: config.emulatorPort, host: '127.0.0.1', ...emulatorOptions };
    emulator = await startEmulator(emulatorAt).catch((err: unknown) => {
      throw listenError(err, 'the local Feishu (sandbox emulator)', emulatorAt.host, emulatorAt.port ?? 0, 'FEISHU_EMULATOR_PORT');
    });
    sandbox = { url: emulator.url, appId: emulator.app.appId };
    effective = { ...config, domain: emulator.url, app: devApp(emulator.app) };
  }
  const hub = createHub({ ...hubOptions, config: effective });
  try {
    await setup?.(hub);
    const { url } = await hub.start();
    if (sandbox && effective.eventMode === 'webhook') {
      // This runs url_verification against the hub, as saving the URL on the real settings page does.
      const res = await fetch(`${sandbox.url}/__emulator/apps/${sandbox.appId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event_url: `${url}/webhook/event`, card_url: `${url}/webhook/card` }),
      });
      if (!res.ok) throw new Error(`could not point the emulator at the hub: HTTP ${res.status} ${await res.text()}`);
    }
  } catch (err) {
    await hub.stop().catch(() => undefined);
    await emulator?.close();
    throw listenError(err, 'the hub', config.http.host, config.http.port, 'HUB_PORT (or --port)');
  }
  return {
    hub,
    emulator,
    emulatorUrl: sandbox?.url,
    async stop() {
      await hub.stop();
      await emulator?.close();
    },
  };
}

function devApp(app: { appId: string; appSecret: string; encryptKey?: string; verificationToken?: string }): HubConfig['app'] {
  return {
    appId: app.appId,
    appSecret: app.appSecret,
    encryptKeys: app.encryptKey ? [app.encryptKey] : [],
    verificationTokens: app.verificationToken ? [app.verificationToken] : [],
  };
}

/**
 * A port the hub or its sandbox emulator needs is taken (or not allowed): says which one and what to
 * change, in one line, instead of a bare `listen EADDRINUSE 127.0.0.1:9000`.
 */
export class PortInUseError extends Error {
  constructor(
    message: string,
    readonly role: string,
    readonly host: string,
    readonly port: number,
    /** The setting that moves it: FEISHU_EMULATOR_PORT or HUB_PORT. */
    readonly setting: string,
    readonly code: 'EADDRINUSE' | 'EACCES',
  ) {
    super(message);
    this.name = 'PortInUseError';
  }
}

/** A PortInUseError for a failed listen on that port; any other error as it is. */
export function listenError(err: unknown, role: string, host: string, port: number, setting: string): unknown {
  const { code, port: failed } = (err ?? {}) as NodeJS.ErrnoException & { port?: number };
  if (port !== 0 && failed !== undefined && failed !== port) return err;
  if (code === 'EADDRINUSE') {
    const message = `port ${port} on ${host} is already in use, so ${role} cannot listen there (is another feishu-hub running?). Stop the other process, or set ${setting} to a free port.`;
    return new PortInUseError(message, role, host, port, setting, code);
  }
  if (code === 'EACCES') {
    const message = `${role} may not listen on ${host}:${port} (permission denied; ports below 1024 need privileges). Set ${setting} to a port above 1023.`;
    return new PortInUseError(message, role, host, port, setting, code);
  }
  return err;
}
