/**
 * Where the real-browser tests find Chromium: CHROMIUM_PATH, else the first Chromium-family browser on
 * the PATH (Debian's `chromium`, Ubuntu's `chromium-browser`, Google Chrome). On CI (CI set and not
 * "false"/"0") a missing browser is an error with the install command: the only test that runs the HTML
 * report in a real browser must not be skipped there.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'] as const;
export const CHROMIUM_INSTALL = 'sudo apt-get install -y --no-install-recommends chromium (Debian; Ubuntu: chromium-browser), or set CHROMIUM_PATH';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The Chromium to launch, or undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of CHROMIUM_NAMES) {
      const path = join(dir, name);
      if (executable(path)) return path;
    }
  }
  return undefined;
}

export function onCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

/** The Chromium to launch; undefined (the caller skips) only off CI; on CI a missing one throws with the fix. */
export function chromiumForTests(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = findChromium(env);
  if (found === undefined && onCi(env)) {
    const where = env.CHROMIUM_PATH ? `CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file` : `none of ${CHROMIUM_NAMES.join(', ')} is on the PATH`;
    throw new Error(`CI=${env.CI} but no Chromium for the browser test of the HTML report: ${where}. Install it: ${CHROMIUM_INSTALL}`);
  }
  return found;
}
