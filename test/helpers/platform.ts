import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../src/emulator/index.js';
import { createPlatform, type Platform, type PlatformOptions } from '../../src/platform/index.js';
import { control } from './emulator.js';

/** An emulator and a platform client pointed at it (fast retries, so fault tests do not wait). */
export async function emulatorWithPlatform(emuOptions: EmulatorOptions = {}, platformOptions: PlatformOptions = {}) {
  const emu = await startEmulator({ port: 0, ...emuOptions });
  const platform = platformFor(emu, platformOptions);
  return { emu, platform, ctl: control(emu) };
}

export function platformFor(emu: EmulatorHandle, options: PlatformOptions = {}): Platform {
  return createPlatform({
    appId: emu.app.appId,
    appSecret: emu.app.appSecret,
    domain: emu.url,
    retry: { baseMs: 5, capMs: 50 },
    ...options,
  });
}

/** The emulator's call log, optionally filtered by method and path (prefix match with a trailing *). */
export function calls(emu: EmulatorHandle, method?: string, path?: string) {
  return emu.state.calls.filter(
    (c) => (!method || c.method === method) && (!path || (path.endsWith('*') ? c.path.startsWith(path.slice(0, -1)) : c.path === path)),
  );
}

export const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
