import type { Problem } from '@weir/engine/pipeline-config';
import type { Palette } from './palette.js';

const NOT_DEFINED = /^var \(\((.+)\)\) is not defined$/;

/**
 * A file's undefined vars of one severity (warnings where vars may come at run time, errors
 * where they must be given now), apart from its other problems, which are shown one by one.
 */
export function splitUndefinedVars(problems: readonly Problem[], severity: Problem['severity'] = 'warning'): { undefinedVars: Problem[]; others: Problem[] } {
  const undefinedVars: Problem[] = [];
  const others: Problem[] = [];
  for (const problem of problems) (problem.code === 'var-undefined' && problem.severity === severity && NOT_DEFINED.test(problem.message) ? undefinedVars : others).push(problem);
  return { undefinedVars, others };
}

/** The names of undefined vars, as split off by `splitUndefinedVars`. */
export function undefinedVarNames(undefinedVars: readonly Problem[]): string[] {
  return undefinedVars.map((problem) => NOT_DEFINED.exec(problem.message)?.[1] ?? '?');
}

/**
 * One block for all of a file's undefined vars (the loader reports each var once, where it is
 * first used): which, where, and how to give them. Vars normally come from a credential
 * manager at run time, so a block per var would bury the problems that matter.
 */
export function renderUndefinedVars(file: string, undefinedVars: readonly Problem[], paint: Palette, width = 100): string {
  const count = undefinedVars.length;
  const names = undefinedVarNames(undefinedVars);
  const uses = undefinedVars.map((problem, i) => `((${names[i]}))${problem.line === undefined ? '' : ` ${problem.line}:${problem.column ?? 1}`}`);
  const lines = [`${file}: ${paint.yellow('warning')} var-undefined: ${count === 1 ? '1 var is' : `${count} vars are`} not given (each at its first use, line:column):`];
  let line = '   ';
  for (const [i, use] of uses.entries()) {
    const item = ` ${use}${i < uses.length - 1 ? ',' : ''}`;
    if (line.length + item.length > width && line.trim() !== '') {
      lines.push(line);
      line = '   ';
    }
    line += item;
  }
  lines.push(line);
  lines.push(
    paint.dim(`  hint: nothing is wrong if a credential manager supplies them when the pipeline runs (weir secrets set NAME, or var_sources); to check with values now, pass -v name=value, -y name=yaml, -l vars.yml or -i name=value`),
  );
  return `${lines.join('\n')}\n`;
}
