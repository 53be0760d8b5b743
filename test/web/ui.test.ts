import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, type TestBrowser } from '../support/browser.js';
import { startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const available = browserAvailable();

/** What the page's scripts see; the test program is compiled without the DOM's types. */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { color: string };
  document: { cookie: string };
}

interface Build {
  id: number;
  status: string;
}

describe.skipIf(!available)('the web UI in a real browser', () => {
  let weir: WeirProcess;
  let browser: TestBrowser;
  let dataDir: string;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'weir-ui-'));
    weir = await startWeirUp(['--data', dataDir, '--pipelines', FIXTURES]);
    browser = await launchBrowser();
    browser.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    browser.page.on('pageerror', (error) => pageErrors.push(error.message));
    // The first builds run on their own: unit passes, integration fails.
    await waitFor(async () => (await latestBuild('integration'))?.status === 'failed', 'integration to fail');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (weir) await stopWeir(weir, 'SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function latestBuild(job: string): Promise<Build | undefined> {
    const builds = (await weir.get(`/pipelines/ui-test/jobs/${encodeURIComponent(job)}/builds`)) as Build[];
    return builds[0];
  }

  it('goes from the dashboard to the pipeline graph to the failing job and its log', async () => {
    const { page } = browser;
    await page.goto(weir.url);
    const card = page.locator('[data-pipeline="ui-test"]');
    await card.waitFor();
    expect(await card.locator('.badge').textContent()).toBe('failed');
    await browser.screenshot('01-dashboard');

    await card.click();
    await page.locator('svg.graph [data-node="job:integration"]').waitFor();
    expect(await page.locator('svg.graph [data-node="job:integration"]').getAttribute('class')).toContain('status-failed');
    expect(await page.locator('svg.graph [data-node="job:unit"]').getAttribute('class')).toContain('status-succeeded');
    // unit → integration through `passed` triggers (solid); the resource feeds slow without a trigger (dashed).
    expect(await page.locator('svg.graph path.edge.trigger').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.graph path.edge.no-trigger').count()).toBeGreaterThan(0);
    await browser.screenshot('02-pipeline-graph');

    await page.locator('svg.graph [data-node="job:integration"]').click();
    await page.waitForURL(/\/pipelines\/ui-test\/jobs\/integration/);
    await page.locator('table.builds a').first().click();
    await page.waitForURL(/\/builds\/\d+/);
    await page.getByText('FAIL: expected 3 rows, got 2').waitFor();
    expect(await page.locator('.build-head .badge').textContent()).toBe('failed');
    await browser.screenshot('03-failed-build');
  });

  it('shows log colours as colours, and markup and terminal escapes in logs as text', async () => {
    const { page } = browser;
    const build = (await latestBuild('unit'))!;
    await page.goto(`${weir.url}/builds/${build.id}`);
    await page.getByText('12 tests passed').waitFor();
    const green = page.locator('.log .line span', { hasText: /^ok$/ });
    expect(await green.evaluate((element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).color)).toBe('rgb(0, 187, 0)');
    await page.getByText('<script>window.pwned = 1</script> as text').waitFor();
    expect(await page.getByText('title escape  gone, bell ␇ shown').count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    await browser.screenshot('04-log-colours');
  });

  it('links to a log line, and collapses a step', async () => {
    const { page } = browser;
    const build = (await latestBuild('unit'))!;
    await page.goto(`${weir.url}/builds/${build.id}`);
    const line = page.locator('.log .line', { hasText: '12 tests passed' });
    await line.locator('.line-link').click();
    const id = await line.getAttribute('id');
    expect(page.url()).toContain(`#${id}`);
    await page.goto(`${weir.url}/builds/${build.id}#${id}`);
    await page.locator(`.log .line.marked#${id}`).waitFor();
    await page.locator('.log .step-header', { hasText: 'task' }).locator('button.toggle').click();
    expect(await page.getByText('12 tests passed').count()).toBe(0);
  });

  it('explains in place why a job waits', async () => {
    const { page } = browser;
    await page.goto(`${weir.url}/pipelines/ui-test/jobs/release`);
    const row = page.locator('tr[data-input="repo"]');
    await row.waitFor();
    expect(await page.locator('.explanation .summary').textContent()).not.toBe('');
    expect(await row.textContent()).toMatch(/integration/);
    await browser.screenshot('05-why-waiting');
  });

  it('needs a login to act, and logs in and out', async () => {
    const { page } = browser;
    await page.goto(`${weir.url}/pipelines/ui-test/jobs/slow`);
    await page.getByText('log in to trigger or pause').waitFor();
    expect(await page.getByRole('button', { name: 'Trigger build' }).count()).toBe(0);
    await page.getByRole('link', { name: 'log in' }).click();
    await page.getByLabel('API token').fill('not the token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('unauthorized').waitFor();
    await browser.screenshot('06-login-refused');
    await page.getByLabel('API token').fill(weir.token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/jobs\/slow$/);
    await page.getByRole('button', { name: 'Trigger build' }).waitFor();
    const cookies = await browser.context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'weir_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.cookie)).toBe('');
  });

  it('triggers a build, streams its log while it runs, and reruns it', async () => {
    const { page } = browser;
    await page.goto(`${weir.url}/pipelines/ui-test/jobs/slow`);
    await page.getByRole('button', { name: 'Trigger build' }).click();
    await page.waitForURL(/\/builds\/\d+$/);
    const first = Number(/\/builds\/(\d+)$/.exec(page.url())![1]);
    await page.getByText('step 3 of 40').waitFor({ timeout: 30_000 });
    // Still running while lines arrive: the page follows the stream, not a finished log.
    expect(await page.locator('.build-head .badge').textContent()).toBe('started');
    await browser.screenshot('07-build-streaming');
    await page.getByText('step 40 of 40').waitFor({ timeout: 60_000 });
    await page.locator('.build-head .badge', { hasText: 'succeeded' }).waitFor();

    await page.getByRole('button', { name: 'Rerun with the same inputs' }).click();
    await page.waitForURL((url) => /\/builds\/(\d+)$/.test(url.pathname) && url.pathname !== `/builds/${first}`);
    await page.getByText(`rerun of`).waitFor();
    await page.getByText('step 2 of 40').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Abort' }).click();
    await page.locator('.build-head .badge', { hasText: 'aborted' }).waitFor({ timeout: 30_000 });
    await browser.screenshot('08-rerun-aborted');
  });

  it('starts a one-click job with the values picked in its form, and shows them on the build', async () => {
    const { page } = browser;
    await page.goto(`${weir.url}/pipelines/ui-test/jobs/maintenance`);
    await page.getByRole('button', { name: 'Trigger build' }).click();
    const form = page.locator('form.trigger-form');
    await form.waitFor();
    expect(await form.locator('select[name="mode"]').inputValue()).toBe('off');
    await form.locator('select[name="mode"]').selectOption('on');
    await form.locator('input[name="message"]').fill('back at <b>5</b>');
    await browser.screenshot('09-trigger-form');
    await form.getByRole('button', { name: 'Start build' }).click();
    await page.waitForURL(/\/builds\/\d+$/);
    await page.getByText('maintenance on: back at <b>5</b>').waitFor({ timeout: 30_000 });
    expect(await page.locator('code.trigger-var').allTextContents()).toEqual(['mode=on', 'message=back at <b>5</b>']);
    await browser.screenshot('10-one-click-build');
  });

  it('pins a version with a comment, and unpins it', async () => {
    const { page } = browser;
    await page.goto(`${weir.url}/pipelines/ui-test/resources/repo`);
    await page.locator('table.versions tr').first().waitFor();
    await page.getByPlaceholder('why this version').fill('hold for the release');
    await page.locator('table.versions tr').first().getByRole('button', { name: 'Pin' }).click();
    await page.getByText('“hold for the release”').waitFor();
    expect(((await weir.get('/pipelines/ui-test/resources/repo')) as { pin_comment: string }).pin_comment).toBe('hold for the release');
    await browser.screenshot('09-resource-pinned');
    await page.getByRole('button', { name: 'Unpin' }).click();
    await page.locator('table.versions').getByRole('button', { name: 'Pin' }).first().waitFor();
  });

  it('renders a hostile job name as text everywhere', async () => {
    const { page } = browser;
    const name = '<img src=x onerror=window.pwned=2>';
    await page.goto(`${weir.url}/pipelines/ui-test`);
    const node = page.locator(`svg.graph [data-node="job:${name}"]`);
    await node.waitFor();
    expect(await node.locator('text').textContent()).toBe(name);
    await node.click();
    await page.waitForURL(/\/jobs\//);
    await page.locator('h1', { hasText: name }).waitFor();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    await browser.screenshot('10-hostile-name');
  });

  it('logs out', async () => {
    const { page } = browser;
    await page.goto(`${weir.url}/pipelines/ui-test/jobs/slow`);
    await page.getByRole('button', { name: 'log out' }).click();
    await page.getByText('log in to trigger or pause').waitFor();
    expect((await browser.context.cookies()).some((cookie) => cookie.name === 'weir_session')).toBe(false);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
}, 240_000);

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
