import { describe, expect, it } from 'vitest';
import { startEngineServer } from './support/engine-server.js';
import { at, pipelineFile } from './support/pipelines.js';
import { weir } from './support/run-weir.js';

const MAINTENANCE = `jobs:
- name: maintenance
  trigger_vars:
  - name: mode
    description: turn the maintenance page on or off
    default: "off"
    values: ["on", "off"]
  plan:
  - task: switch
    config:
      platform: linux
      params: {MODE: ((.:mode))}
      run: {path: sh, args: [-c, 'echo "maintenance $MODE"']}
`;

describe('weir trigger-job -v: one-click jobs', () => {
  it('starts the job with the values given, prints them, and the build reads them', async () => {
    const server = await startEngineServer();
    expect((await weir(['set-pipeline', ...at(server), '-p', 'site', '-c', pipelineFile(MAINTENANCE), '-n'])).status).toBe(0);
    expect((await weir(['unpause-pipeline', ...at(server), '-p', 'site'])).status).toBe(0);
    const result = await weir(['trigger-job', ...at(server), '-j', 'site/maintenance', '-v', 'mode=on', '-w']);
    expect(result.status).toBe(0);
    expect(result.out).toMatch(/^started site\/maintenance #1 \(build id \d+\) with mode=on\n/);
    expect(result.out).toContain('maintenance on\n');
  });

  it('refuses a value the job does not allow, with the allowed ones, and a flag that is not name=value', async () => {
    const server = await startEngineServer();
    expect((await weir(['set-pipeline', ...at(server), '-p', 'site', '-c', pipelineFile(MAINTENANCE), '-n'])).status).toBe(0);
    const refused = await weir(['trigger-job', ...at(server), '-j', 'site/maintenance', '-v', 'mode=maybe']);
    expect(refused.status).not.toBe(0);
    expect(refused.err).toContain('"maybe" is not a value of mode for job maintenance');
    expect(refused.err).toContain('allowed: on, off');
    const malformed = await weir(['trigger-job', ...at(server), '-j', 'site/maintenance', '-v', 'mode']);
    expect(malformed.status).not.toBe(0);
    expect(malformed.err).toContain('-v mode is not name=value');
  });
});
