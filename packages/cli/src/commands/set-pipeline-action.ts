import { isDeepStrictEqual } from 'node:util';
import { configForReaders, hasErrors, loadPipeline, renderProblem, varsFromFlags, type Problem, type VarFlag } from '@weir/engine/pipeline-config';
import { builtinResourceTypeCatalog } from '@weir/resources/catalog';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { ApiError } from '../client/api-error.js';
import type { ApiPipelineWithConfig, ApiProblem, ApiSetPipelineAnswer } from '../client/api-types.js';
import { pipelineRoute } from '../client/routes.js';
import { confirm } from '../confirm.js';
import { connect } from '../engine-command.js';
import type { CliIo } from '../io.js';
import { formatPipelineName, parsePipelineName, type InstanceVars, type PipelineName } from '../names.js';
import { readInput } from '../read-input.js';
import { diffPipelineConfigs, renderPipelineDiff, summarizeChanges } from '../render/pipeline-diff.js';
import { palette } from '../render/palette.js';
import { instanceVarFlags, varFlags, type VarOptions } from '../var-options.js';

export interface SetPipelineOptions extends VarOptions {
  pipeline: string;
  config: string;
  nonInteractive: boolean;
}

export async function setPipeline(options: SetPipelineOptions, command: Command, io: CliIo): Promise<number> {
  const paint = palette(io.color);
  const pipeline = withInstanceVars(parsePipelineName(options.pipeline), instanceVarFlags(options));
  const input = await readInput(options.config);
  if ('problem' in input) {
    io.err(`${renderProblem(input.problem, undefined, { color: io.color })}\n`);
    return 1;
  }
  const { vars, problems: varProblems } = varsFromFlags(await varFlags(options));
  if (printProblems(io, varProblems, undefined)) return 1;

  // As the engine will: instance vars are vars too, and win. Checked here first so a broken
  // file is reported with its snippets, before anything is sent.
  // A var without a static value may be in the engine's secret store: only the engine can tell.
  const loaded = loadPipeline(input.text, {
    file: options.config,
    vars: { ...vars, ...pipeline.instanceVars },
    missingVars: 'error',
    isStoredSecret: () => true,
    resourceTypes: builtinResourceTypeCatalog(),
  });
  if (printProblems(io, loaded.problems, input.text) || !loaded.config) {
    io.err(`${options.config} is not a valid pipeline; nothing was set\n`);
    return 1;
  }

  const client = connect(command, io);
  const name = formatPipelineName(pipeline);
  const found = await client.find<ApiPipelineWithConfig>(pipelineRoute(pipeline));
  // The engine also finds an instance whose vars differ only in type (pr "1" for pr:1); setting
  // names exactly one, and the other is a different pipeline.
  const current = found && isDeepStrictEqual(found.instance_vars, pipeline.instanceVars) ? found : undefined;
  if (found && !current) io.err(`note: pipeline ${formatPipelineName({ name: found.name, instanceVars: found.instance_vars })} exists; this sets another instance, ${name}\n`);
  // The engine shows webhook tokens redacted; compared the same way, they do not count as changes.
  const changes = diffPipelineConfigs(current?.config, configForReaders(loaded.config) as Record<string, unknown>);
  if (current && changes.length === 0 && !current.archived) {
    io.out(`no changes to apply to pipeline ${name}\n`);
    return 0;
  }
  if (changes.length > 0) io.out(`${renderPipelineDiff(changes, paint)}\n${summarizeChanges(changes)}\n`);
  if (current?.archived) io.out(`pipeline ${name} is archived; setting it brings it back\n`);

  if (!options.nonInteractive && !(await confirm(io, `apply configuration to ${current ? '' : 'new '}pipeline ${name}?`, 'not applying the configuration'))) {
    io.err('bailing out; nothing was set\n');
    return 1;
  }

  let answer: ApiSetPipelineAnswer;
  try {
    answer = await client.put<ApiSetPipelineAnswer>(pipelineRoute(pipeline, 'config'), {
      config: input.text,
      file: options.config,
      vars,
      ...(Object.keys(pipeline.instanceVars).length > 0 && { instance_vars: pipeline.instanceVars }),
      // 0 when the pipeline is new: if someone creates it meanwhile, that is a conflict too.
      expected_config_version: current?.config_version ?? 0,
    });
  } catch (error) {
    throw explainSetFailure(error, io, input.text, options);
  }
  const shown = new Set(loaded.problems.map(problemKey));
  printProblems(io, answer.warnings.map(toProblem).filter((problem) => !shown.has(problemKey(problem))), input.text);
  io.out(`pipeline ${answer.created ? 'created' : 'updated'}: ${name}\n`);
  if (answer.created) {
    const job = (loaded.config.jobs ?? [])[0]?.name ?? 'JOB';
    io.out(
      answer.pipeline.paused
        ? `it is paused: nothing runs until \`weir unpause-pipeline -p ${name}\`\n`
        : `it is unpaused: its resources are checked and its jobs run as new versions arrive; start one now with \`weir trigger-job -j ${name}/${job}\`\n`,
    );
  }
  return 0;
}

function withInstanceVars(pipeline: PipelineName, flags: VarFlag[]): PipelineName {
  if (flags.length === 0) return pipeline;
  const { vars, problems } = varsFromFlags(flags);
  const first = problems[0];
  if (first) throw new CliError(`-i: ${first.message}`, 'write -i name=value, e.g. -i pr=12');
  const instanceVars: InstanceVars = { ...pipeline.instanceVars, ...vars };
  return { name: pipeline.name, instanceVars };
}

/** Prints problems like `weir validate`; true if any is an error. */
function printProblems(io: CliIo, problems: readonly Problem[], text: string | undefined): boolean {
  for (const problem of problems) io.err(`${renderProblem(problem, text, { color: io.color })}\n\n`);
  return hasErrors(problems);
}

/** The engine checks again, with its own resource types; its problems are shown like local ones. */
function explainSetFailure(error: unknown, io: CliIo, text: string, options: SetPipelineOptions): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.code === 'pipeline-invalid' && error.problems.length > 0) {
    printProblems(io, error.problems.map(toProblem), text);
    return new CliError(`the engine refused ${options.config}: ${error.message}`, error.hint);
  }
  if (error.code === 'pipeline-config-conflict') {
    return new CliError(error.message, 'someone set the pipeline while you looked at the diff: run the same `weir set-pipeline` again to see what it changes now');
  }
  return error;
}

/** The engine checks with the same loader, so most of its warnings were already printed here. */
function problemKey(problem: Problem): string {
  return `${problem.code}:${problem.line}:${problem.column}`;
}

/** The engine's problems are weir's own, in snake_case. */
function toProblem(problem: ApiProblem): Problem {
  const { display_path: displayPath, end_offset: endOffset, ...rest } = problem;
  return { ...rest, ...(displayPath !== undefined && { displayPath }), ...(endOffset !== undefined && { endOffset }) };
}
