import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium: the tests drive the system browser, never a downloaded one. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests keep their screenshots (a test artifact: look at them). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/web/', import.meta.url));

const WEB_DIST = fileURLToPath(new URL('../../packages/web/dist/index.html', import.meta.url));

/**
 * True when Chromium and the built UI are there. Without Chromium the browser tests skip on a
 * developer's machine, with a message, and fail under CI; an unbuilt UI always fails, because
 * the README's `pnpm install` builds it.
 */
export function browserAvailable(): boolean {
  if (!existsSync(WEB_DIST)) throw new Error(`the web UI is not built (${WEB_DIST} is missing): run pnpm install, which builds packages/web`);
  if (existsSync(CHROMIUM)) return true;
  const message = `${CHROMIUM} not installed (Debian: apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${message}; browser tests cannot be skipped under CI`);
  console.warn(`skipping web UI browser tests: ${message}`);
  return false;
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Saves a screenshot of the page as test-results/web/NAME.png. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile and everything that would reach the network off
 * (this machine's network is closed; a test must not wait on it).
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'weir-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    page,
    async screenshot(name) {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
