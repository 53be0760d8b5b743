import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { EngineServer } from './engine-server.js';

const folders: string[] = [];

afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** `--url` and `--data` for the engine under test. */
export const at = (server: EngineServer): string[] => ['--url', server.url, '--data', server.dataDir];

/** Writes a pipeline file into a fresh temporary folder (removed after the test file) and answers its path. */
export function pipelineFile(text: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'weir-cli-pipeline-'));
  folders.push(folder);
  const file = path.join(folder, 'pipeline.yml');
  writeFileSync(file, text);
  return file;
}

const task = (name: string, script: string): string => `  - task: ${name}
    config:
      platform: linux
      run: {path: sh, args: [-c, ${JSON.stringify(script)}]}`;

/** One job per outcome a build can have, on a mock resource with a version from the start. */
export const OUTCOMES_PIPELINE = `resources:
- name: tick
  type: mock
  source: {initial_version: "1"}
- name: out
  type: mock
  source: {no_initial_version: true}
jobs:
- name: passes
  plan:
  - get: tick
${task('say-hello', 'echo hello; echo careful >&2')}
- name: fails
  plan:
${task('break', 'echo about to fail; exit 3')}
- name: errors
  plan:
  - put: out
- name: sleeps
  plan:
${task('nap', 'echo napping; sleep 30')}
`;
