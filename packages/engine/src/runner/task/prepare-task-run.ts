import type { TaskConfig } from '../../config/schema/index.js';
import { suggest } from '../../config/suggest.js';
import { WeirError } from '../../errors.js';
import type { TaskCacheMount, TaskInputMount, TaskOutputMount, TaskRun } from '../../executors/executor.js';
import { taskEnvironment } from './task-environment.js';
import { PathClaims, pathInsideWorkDir } from './task-paths.js';

export interface PrepareTaskRunInput {
  /** Validated, vars already interpolated. */
  config: TaskConfig;
  /** The step's params: they override `config.params`. */
  params: Record<string, unknown>;
  /** Task input name → build artifact name. */
  inputMapping: Record<string, string>;
  /** Task output name → build artifact name. */
  outputMapping: Record<string, string>;
  /** A build artifact's directory, by artifact name. */
  artifact(name: string): string | undefined;
  /** Every artifact the build has so far, for the hint when an input is missing. */
  artifactNames(): string[];
  /** The persistent directory for a cache path (normalised, relative to the working directory). */
  cacheStore(path: string): string;
  workDir: string;
  /** PATH, HOME, BUILD_* ...: the runner supplies these. */
  baseEnv: Record<string, string>;
  /** For errors, e.g. "jobs.build.plan[1].task(unit)". */
  location: string;
}

export interface PreparedTaskRun {
  run: Omit<TaskRun, 'signal' | 'onOutput'>;
  /** Task output name → the artifact name later steps use (output_mapping applied). */
  artifactNames: Record<string, string>;
}

/**
 * A validated task config and the build's artifacts → what the executor needs: the directories to
 * place and the environment, following Concourse's rules. Pure: it reads no file, so the runner
 * can report every mistake here before anything is copied.
 */
export function prepareTaskRun(input: PrepareTaskRunInput): PreparedTaskRun {
  const { config, location } = input;
  const claims = new PathClaims(location);

  const inputs: TaskInputMount[] = [];
  for (const declared of config.inputs ?? []) {
    const path = pathInsideWorkDir(declared.path ?? declared.name, `the path of input "${declared.name}"`, location);
    claims.claim(path, 'input', `input "${declared.name}"`);
    const artifactName = input.inputMapping[declared.name] ?? declared.name;
    const source = input.artifact(artifactName);
    if (source !== undefined) inputs.push({ name: declared.name, path, source });
    else if (declared.optional !== true) throw missingInput(declared.name, artifactName, input);
  }

  const outputs: TaskOutputMount[] = [];
  const artifactNames: Record<string, string> = {};
  for (const declared of config.outputs ?? []) {
    const path = pathInsideWorkDir(declared.path ?? declared.name, `the path of output "${declared.name}"`, location);
    claims.claim(path, 'output', `output "${declared.name}"`);
    outputs.push({ name: declared.name, path });
    artifactNames[declared.name] = input.outputMapping[declared.name] ?? declared.name;
  }

  const caches: TaskCacheMount[] = [];
  for (const declared of config.caches ?? []) {
    const path = pathInsideWorkDir(declared.path, 'a cache path', location);
    if (path === '.') {
      throw new WeirError('task-path-conflict', 'a cache is at ".", the working directory itself', {
        location,
        hint: 'give the cache a directory inside the working directory, e.g. path: .cache',
      });
    }
    claims.claim(path, 'cache', `cache "${path}"`);
    caches.push({ path, store: input.cacheStore(path) });
  }

  const { run } = config;
  const dir = run.dir === undefined ? undefined : pathInsideWorkDir(run.dir, 'run.dir', location);
  return {
    run: {
      workDir: input.workDir,
      inputs,
      outputs,
      caches,
      run: {
        path: run.path,
        args: run.args ?? [],
        ...(dir === undefined ? {} : { dir }),
        ...(run.user === undefined ? {} : { user: run.user }),
      },
      env: taskEnvironment(input.baseEnv, { ...config.params, ...input.params }, location),
    },
    artifactNames,
  };
}

function missingInput(inputName: string, artifactName: string, input: PrepareTaskRunInput): WeirError {
  const available = input.artifactNames();
  const mapped = artifactName === inputName ? '' : ` (input_mapping gives it the artifact "${artifactName}")`;
  const guess = suggest(artifactName, available);
  const hint =
    guess !== undefined
      ? `did you mean "${guess}"? Artifacts available here: ${available.join(', ')}`
      : available.length > 0
        ? `artifacts available here: ${available.join(', ')}; add a get or task output named "${artifactName}" before this step, map the input with input_mapping, or mark it optional: true`
        : `no earlier step produced an artifact: add a get step or a task output named "${artifactName}" before this step, or mark the input optional: true`;
  return new WeirError('task-input-missing', `the task's input "${inputName}"${mapped} has no artifact: no earlier step produced "${artifactName}"`, {
    location: input.location,
    hint,
  });
}
