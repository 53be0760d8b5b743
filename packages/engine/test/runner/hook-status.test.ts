import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomes, runJob } from '../support/builds.js';
import { testEngine } from '../support/engine.js';
import { mockPipeline } from '../support/mock-pipeline.js';

/** A webhook on 127.0.0.1 that keeps the status and text of every message. */
const received: Array<{ status: string; text: string }> = [];
let url = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    received.push(JSON.parse(body) as { status: string; text: string });
    res.writeHead(200).end();
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const task = (name: string, exit: number, indent = 4): string => {
  const pad = ' '.repeat(indent);
  return `${pad.slice(2)}- task: ${name}
${pad}config:
${pad}  platform: linux
${pad}  run: {path: sh, args: [-c, 'exit ${exit}']}`;
};

const notify = (indent: number): string => `${' '.repeat(indent)}put: notify
${' '.repeat(indent)}params: {text: '$BUILD_JOB_NAME #$BUILD_NAME $BUILD_STATUS'}`;

describe('a put in a hook hands its resource type the status of the step the hook follows', () => {
  it('failed in on_failure and ensure after a failing task, succeeded in on_success, started outside hooks', async () => {
    received.length = 0;
    const engine = testEngine();
    const extra = `- name: notify
  type: notification
  source: {url: ${url}, retries: 0}`;
    const failing = await runJob(
      engine,
      mockPipeline(
        `  - ${notify(4).trimStart()}
${task('broken', 3)}
    on_failure:
      ${notify(6).trimStart()}
    ensure:
      ${notify(6).trimStart()}`,
        extra,
      ),
    );
    expect(failing.build.status).toBe('failed');
    expect(received.map((m) => m.status)).toEqual(['started', 'failed', 'failed']);
    expect(received[1]?.text).toBe(`job #${failing.build.name} failed`);

    received.length = 0;
    const passing = await runJob(
      testEngine(),
      mockPipeline(
        `${task('fine', 0)}
    on_success:
      ${notify(6).trimStart()}`,
        extra,
      ),
    );
    expect(passing.build.status).toBe('succeeded');
    expect(outcomes(passing)).toMatchObject({ notify: 'succeeded' });
    expect(received.map((m) => m.status)).toEqual(['succeeded']);
  });
});
