import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { describe } from 'vitest';

/**
 * Browser tests drive Debian's Chromium through playwright-core (never a browser playwright downloads). Without
 * it they are skipped, so `npm test` passes on a fresh machine; in CI (CI=true) a missing browser is a failure.
 */

/** Debian's package by default; CHROMIUM_PATH points elsewhere (another system's Chromium). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
export const CHROMIUM_INSTALL_COMMAND = 'apt-get install chromium';

/** The flags that work here: headless, no sandbox (root, containers), and no traffic of Chromium's own. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function inCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Why browser tests are skipped here, or undefined when they run (in CI they always run, and fail without a browser). */
export function browserSkipReason(): string | undefined {
  if (chromiumInstalled() || inCi()) return undefined;
  return `Chromium not found at ${CHROMIUM_PATH}: browser tests skipped (install it: ${CHROMIUM_INSTALL_COMMAND})`;
}

/** `describe` for a block of browser tests: skipped without Chromium outside CI (test/support/global-setup.ts says so once). */
export function describeInBrowser(name: string, body: () => void): void {
  describe.skipIf(browserSkipReason() !== undefined)(name, body);
}

export type TestBrowser = {
  /** A browser context with a fresh profile: no cookies, storage or cache from any other run. */
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
};

/** A fresh headless Chromium with a profile directory of its own (its --user-data-dir), removed on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!chromiumInstalled()) {
    throw new Error(`${CHROMIUM_PATH} is missing${inCi() ? ' (CI=true: browser tests are not skipped in CI)' : ''}; install it: ${CHROMIUM_INSTALL_COMMAND}`);
  }
  const profileDir = mkdtempSync(join(tmpdir(), 'paystream-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profileDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profileDir, { recursive: true, force: true });
    throw error;
  }
}
