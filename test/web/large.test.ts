import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, type TestBrowser } from '../support/browser.js';
import { chainedPipeline, logPipeline } from '../support/large-pipelines.js';
import { startWeirUp, stopWeir, type WeirProcess } from '../support/weir-process.js';

const available = browserAvailable();

/** A build that prints 2,000 lines at once, then a line every 200 ms: the page must keep up with its tail. */
const FOLLOW_PIPELINE = `jobs:
- name: ticks
  plan:
  - task: ticks
    config:
      platform: linux
      run:
        path: sh
        args: [-c, 'seq 2000 | sed "s/^/early /"; i=1; while [ $i -le 30 ]; do echo "tick $i"; i=$((i+1)); sleep 0.2; done']
`;

interface Build {
  id: number;
  status: string;
}

/** The sizes the UI is built for (issue 17): a graph of 1,000 jobs, a log of 100,000 lines, a build followed as it runs. */
describe.skipIf(!available)('the web UI at scale in a real browser', () => {
  let weir: WeirProcess;
  let browser: TestBrowser;
  let dataDir: string;
  let pipelinesDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'weir-ui-large-'));
    pipelinesDir = mkdtempSync(join(tmpdir(), 'weir-ui-large-pipelines-'));
    writeFileSync(join(pipelinesDir, 'big.yml'), chainedPipeline(1000, 1500));
    writeFileSync(join(pipelinesDir, 'logs.yml'), logPipeline(100_000));
    writeFileSync(join(pipelinesDir, 'follow.yml'), FOLLOW_PIPELINE);
    weir = await startWeirUp(['--data', dataDir, '--pipelines', pipelinesDir], { timeoutMs: 90_000 });
    browser = await launchBrowser();
    browser.page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    if (weir) await stopWeir(weir, 'SIGTERM');
    for (const dir of [dataDir, pipelinesDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the part of a 1,000-job graph in view, and finds a job far down it', async () => {
    const { page } = browser;
    await page.goto(`${weir.url}/pipelines/big`);
    await page.locator('svg.graph [data-node="job:job-0-0"]').waitFor({ timeout: 60_000 });
    await page.locator('svg.graph[data-complete="true"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('svg.graph').getAttribute('data-laid-out')).toBe('2500');
    // Only what is in view is in the page; the last chain is far below it.
    expect(await page.locator('svg.graph [data-node]').count()).toBeLessThan(500);
    expect(await page.locator('svg.graph [data-node="job:job-99-9"]').count()).toBe(0);
    await browser.screenshot('11-large-graph');

    const find = page.getByLabel('find a job or resource');
    await find.fill('job-99-9');
    await find.press('Enter');
    const node = page.locator('svg.graph [data-node="job:job-99-9"]');
    await node.waitFor();
    expect(await node.getAttribute('class')).toContain('found');
    expect(await node.locator('text').textContent()).toBe('job-99-9');
    await browser.screenshot('12-large-graph-found');
    await node.click();
    await page.waitForURL(/\/pipelines\/big\/jobs\/job-99-9$/);

    await page.goto(`${weir.url}/pipelines/big`);
    await find.fill('no-such-job');
    await find.press('Enter');
    await page.getByText('no job or resource named like “no-such-job”').waitFor({ timeout: 90_000 });
  }, 240_000);

  it('loads a 100,000-line log, shows its end, and jumps anywhere in it', async () => {
    const { page } = browser;
    const build = (await weir.post('/pipelines/logs/jobs/log/builds')) as Build;
    await waitFor(async () => ((await weir.get(`/builds/${build.id}`)) as Build).status !== 'started' && ((await weir.get(`/builds/${build.id}`)) as Build).status !== 'pending', 'the log build to end');
    expect(((await weir.get(`/builds/${build.id}`)) as Build).status).toBe('succeeded');

    await page.goto(`${weir.url}/builds/${build.id}`);
    const line = (text: string) => page.locator('.log .line .text', { hasText: new RegExp(`^${text}$`) });
    // A finished log opens at its end.
    await line('line 100000').waitFor({ timeout: 90_000 });
    // weir's own line about the host task, then the task's 100,000.
    expect(await page.locator('.log-tools').textContent()).toContain('100,001 lines');
    expect(await page.locator('.log .row').count()).toBeLessThan(300);
    await browser.screenshot('13-long-log-end');

    await page.locator('.log').evaluate((log) => ((log as unknown as { scrollTop: number }).scrollTop = 0));
    await line('line 1').waitFor();
    expect(await line('line 100000').count()).toBe(0);
    await page.locator('.log').evaluate((log) => {
      const element = log as unknown as { scrollTop: number; scrollHeight: number };
      element.scrollTop = element.scrollHeight / 2;
    });
    await line('line 5\\d{4}').first().waitFor();
    await page.locator('.log').evaluate((log) => {
      const element = log as unknown as { scrollTop: number; scrollHeight: number };
      element.scrollTop = element.scrollHeight;
    });
    await line('line 99999').waitFor();
    await browser.screenshot('14-long-log-scrolled');
  }, 240_000);

  it('follows the tail of a build while it runs', async () => {
    const { page } = browser;
    const build = (await weir.post('/pipelines/follow/jobs/ticks/builds')) as Build;
    await page.goto(`${weir.url}/builds/${build.id}`);
    const line = (text: string) => page.locator('.log .line .text', { hasText: new RegExp(`^${text}$`) });
    await line('tick 3').waitFor({ timeout: 60_000 });
    expect(await page.locator('.build-head .badge').textContent()).toBe('started');
    expect(await page.locator('button.follow').textContent()).toBe('following');
    // The newest line is in view without a scroll: the page went down with it.
    await line('tick 30').waitFor({ timeout: 60_000 });
    await page.locator('.build-head .badge', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    expect(await line('early 1').count()).toBe(0);
    await browser.screenshot('15-log-followed');
    expect(pageErrors).toEqual([]);
  }, 120_000);
}, 600_000);

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
