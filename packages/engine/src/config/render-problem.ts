import type { Problem } from './problem.js';

export interface RenderOptions {
  color?: boolean;
}

/**
 * A problem as a compiler prints it:
 *   file:line:col: error CODE: message (at jobs.build.plan[0])
 *     12 |       pased: [unit]
 *        |       ^^^^^
 *     hint: did you mean "passed"?
 */
export function renderProblem(problem: Problem, text: string | undefined, options: RenderOptions = {}): string {
  const paint = (code: string, s: string): string => (options.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const where = [problem.file ?? '<input>', problem.line, problem.column].filter((x) => x !== undefined).join(':');
  const severity = problem.severity === 'error' ? paint('31;1', 'error') : paint('33;1', 'warning');
  const at = problem.displayPath ? ` (at ${problem.displayPath})` : '';
  const lines = [`${paint('1', where)}: ${severity} ${problem.code}: ${problem.message}${at}`];
  if (text !== undefined && problem.line !== undefined && problem.column !== undefined) {
    lines.push(...snippet(text, problem, paint));
  }
  if (problem.hint) lines.push(`    ${paint('36', 'hint:')} ${problem.hint}`);
  return lines.join('\n');
}

function snippet(text: string, problem: Problem, paint: (code: string, s: string) => string): string[] {
  const line = problem.line as number;
  const column = problem.column as number;
  const source = lineAt(text, line);
  if (source === undefined) return [];
  const shown = source.length > 160 ? `${source.slice(0, 160)}…` : source;
  const lineStart = (problem.offset ?? 0) - (column - 1);
  const span = Math.max(1, Math.min((problem.endOffset ?? 0) - (problem.offset ?? 0), shown.length - (column - 1), lineStart + source.length - (problem.offset ?? 0)));
  const gutter = String(line).length;
  return [
    `  ${String(line).padStart(gutter)} | ${shown}`,
    `  ${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, column - 1))}${paint(problem.severity === 'error' ? '31;1' : '33;1', '^'.repeat(span))}`,
  ];
}

function lineAt(text: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '');
}
