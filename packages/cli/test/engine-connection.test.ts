import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEngineServer } from './support/engine-server.js';
import { at, OUTCOMES_PIPELINE, pipelineFile } from './support/pipelines.js';
import { weir } from './support/run-weir.js';

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('finding the engine and its token', () => {
  it('says that no engine answers, and how to start one or point elsewhere', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const argv of [['pipelines', '--url', url], ['watch', '--url', url, '-b', '1'], ['--url', url, 'jobs', '-p', 'demo']]) {
      const result = await weir(argv);
      expect(result).toMatchObject({
        status: 1,
        out: '',
        err: `error: no weir engine answers at ${url}\n  hint: start one with \`weir up\`, or pass --url (or set WEIR_URL) to reach one that runs elsewhere\n`,
      });
    }
  });

  it('takes the URL from WEIR_URL when --url is not given, and says when it is not a URL', async () => {
    const server = await startEngineServer({ start: false });
    expect(await weir(['pipelines'], { env: { WEIR_URL: server.url } })).toMatchObject({ status: 0, out: 'id  name  paused  last updated\n' });
    const bad = await weir(['pipelines'], { env: { WEIR_URL: 'localhost:8080' } });
    expect(bad.status).toBe(1);
    expect(bad.err).toContain('error: WEIR_URL "localhost:8080" is not an http or https URL');
  });

  it('reads the token from the data directory, or from WEIR_TOKEN, and says where a refused one came from', async () => {
    const server = await startEngineServer({ start: false });
    const file = pipelineFile(OUTCOMES_PIPELINE);
    const set = (options: { env?: Record<string, string> } = {}, data = server.dataDir) =>
      weir(['set-pipeline', '--url', server.url, '--data', data, '-p', 'demo', '-c', file, '-n'], options);

    const wrong = await set({ env: { WEIR_TOKEN: 'not-the-token' } });
    expect(wrong.status).toBe(1);
    expect(wrong.err).toContain(`error: the engine at ${server.url} refused the token from the WEIR_TOKEN environment variable\n  hint: WEIR_TOKEN must hold the token`);
    expect(server.engine.store.pipelines.get({ name: 'demo' })).toBeUndefined();

    const otherDir = path.dirname(pipelineFile(''));
    writeFileSync(path.join(otherDir, 'token'), 'another-engines-token\n');
    const stale = await set({}, otherDir);
    expect(stale.err).toContain(`refused the token from ${path.join(otherDir, 'token')}`);

    const noFile = await set({}, path.join(otherDir, 'nowhere'));
    expect(noFile.err).toContain(`error: cannot read the engine's token from ${path.join(otherDir, 'nowhere', 'token')} (no such file)`);

    expect((await set()).status).toBe(0);
    expect((await weir(['pause-pipeline', '--url', server.url, '-p', 'demo'], { env: { WEIR_DATA: server.dataDir } })).status).toBe(0);
  });

  it('passes on what the engine says about a thing that does not exist', async () => {
    const server = await startEngineServer({ start: false });
    const result = await weir(['jobs', ...at(server), '-p', 'nope/pr:1']);
    expect(result.status).toBe(1);
    expect(result.err).toMatch(/^error: no pipeline main\/nope\/.*\n {2}hint: check the name and instance vars; list pipelines to see what exists\n$/);
  });
});
