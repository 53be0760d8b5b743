import type { Problem, VarFlag } from '@weir/engine/pipeline-config';
import type { CommandSetup } from '../engine-command.js';
import type { CliIo } from '../io.js';
import { readInput } from '../read-input.js';
import { palette } from '../render/palette.js';
import { renderUndefinedVars, splitUndefinedVars } from '../render/undefined-vars.js';
import { addVarOptions, instanceVarFlags, varFlags, type VarOptions } from '../var-options.js';

export interface ValidateOptions {
  strict: boolean;
  json: boolean;
  task: boolean;
  varFlags: VarFlag[];
}

interface FileReport {
  file: string;
  valid: boolean;
  problems: Problem[];
  /** What a run of a valid pipeline needs of the engine's host: bubblewrap, reachable registries. */
  needs: string[];
}

export function registerValidate(setup: CommandSetup): void {
  addVarOptions(
    setup.program
      .command('validate')
      .description('check pipeline (or, with --task, task config) files and print every problem with its location')
      .argument('<file...>', 'YAML files to check')
      .option('--strict', "fail on warnings too, as fly's strict mode does (unknown top-level keys, identifier style, ...) and on those that mean a run will break; not on vars a credential manager will supply", false)
      .option('--json', 'print a JSON report instead of compiler-style messages', false)
      .option('--task', 'the files are task configs, not pipelines', false),
  ).action((files: string[], options: VarOptions & { strict: boolean; json: boolean; task: boolean }) =>
    setup.run(async () => {
      const flags = [...(await varFlags(options)), ...instanceVarFlags(options)];
      return validateCommand(files, { strict: options.strict, json: options.json, task: options.task, varFlags: flags }, setup.io);
    }),
  );
}

/** `weir validate`: exit 1 on any error (and on any warning with --strict), 0 otherwise. */
export async function validateCommand(files: string[], options: ValidateOptions, io: CliIo): Promise<number> {
  // The loader is most of what this command loads: imported here, not by every command.
  const [{ describeRunNeeds, failsStrict, hasErrors, loadPipeline, loadTaskConfig, pipelineRunNeeds, renderProblem, varsFromFlags }, { builtinResourceTypeCatalog }] = await Promise.all([
    import('@weir/engine/pipeline-config'),
    import('@weir/resources/catalog'),
  ]);
  const { vars, problems: varProblems } = varsFromFlags(options.varFlags);
  const resourceTypes = builtinResourceTypeCatalog();
  const reports: FileReport[] = [];
  const texts = new Map<string, string>();

  for (const file of files) {
    const input = await readInput(file);
    if ('problem' in input) {
      reports.push({ file, valid: false, problems: [input.problem], needs: [] });
      continue;
    }
    texts.set(file, input.text);
    const load = options.task ? loadTaskConfig : loadPipeline;
    const result = load(input.text, { file, vars, missingVars: 'warning', resourceTypes });
    const failing = hasErrors(result.problems) || (options.strict && result.problems.some(failsStrict));
    const needs = !options.task && result.config !== undefined ? describeRunNeeds(pipelineRunNeeds(result.config, resourceTypes)) : [];
    reports.push({ file, valid: !failing, problems: result.problems, needs });
  }

  if (options.json) {
    const json = reports.map((r) => ({
      file: r.file,
      valid: r.valid && !hasErrors(varProblems),
      problems: [...varProblems, ...r.problems].map((p) => ({
        severity: p.severity,
        code: p.code,
        message: p.message,
        line: p.line ?? null,
        column: p.column ?? null,
        path: p.displayPath ?? '',
        ...(p.hint ? { hint: p.hint } : {}),
      })),
      needs: r.needs,
    }));
    io.out(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const paint = palette(io.color);
    for (const p of varProblems) io.out(`${renderProblem(p, undefined, { color: io.color })}\n\n`);
    for (const report of reports) {
      const { undefinedVars, others } = splitUndefinedVars(report.problems);
      for (const p of others) io.out(`${renderProblem(p, texts.get(report.file), { color: io.color })}\n\n`);
      if (undefinedVars.length > 0) io.out(`${renderUndefinedVars(report.file, undefinedVars, paint)}\n`);
      // Not problems: a valid pipeline stays valid (and --strict passes) on a host that lacks them.
      for (const need of report.needs) io.out(`${report.file}: note: ${need}\n`);
    }
    io.out(`${summarizeValidation(reports, varProblems, options.strict, failsStrict)}\n`);
  }
  return reports.some((r) => !r.valid) || hasErrors(varProblems) ? 1 : 0;
}

/** The last line of every run: how many files, how many failed, what was found. */
function summarizeValidation(reports: readonly FileReport[], varProblems: readonly Problem[], strict: boolean, failsStrict: (problem: Problem) => boolean): string {
  const all = [...varProblems, ...reports.flatMap((r) => r.problems)];
  const errors = all.filter((p) => p.severity === 'error').length;
  const warnings = all.filter((p) => p.severity === 'warning');
  const undefinedVars = warnings.filter((p) => p.code === 'var-undefined').length;
  const invalid = reports.filter((r) => !r.valid).length;
  const counted = [
    `${plural(reports.length, 'file')} checked: ${invalid === 0 ? 'all valid' : `${invalid} invalid`}`,
    plural(errors, 'error'),
    `${plural(warnings.length, 'warning')}${undefinedVars > 0 ? ` (${undefinedVars} of them undefined vars)` : ''}`,
  ];
  const failing = strict ? warnings.filter(failsStrict).length : 0;
  return `${counted.join(', ')}${failing > 0 ? `; --strict fails on ${plural(failing, 'warning')}` : ''}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
