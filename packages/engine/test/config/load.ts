import { loadPipeline, loadTaskConfig, type Problem, type StaticVars } from '@weir/engine';

const resourceTypes = { builtin: new Set(['git', 'mock', 'time', 'registry-image', 'cron', 'github-pr', 'pull-request', 'volume-snapshot']) };

export function load(text: string, options: { vars?: StaticVars; missingVars?: 'error' | 'warning' } = {}) {
  return loadPipeline(text, { file: 'pipeline.yml', resourceTypes, missingVars: options.missingVars ?? 'warning', ...(options.vars ? { vars: options.vars } : {}) });
}

export function loadTask(text: string) {
  return loadTaskConfig(text, { file: 'task.yml', resourceTypes, missingVars: 'warning' });
}

/** "severity code @ displayPath line:column", the parts of a problem tests care about. */
export function summarize(problems: readonly Problem[]): string[] {
  return problems.map((p) => `${p.severity} ${p.code} @ ${p.displayPath ?? ''} ${p.line}:${p.column}`);
}

export function codes(problems: readonly Problem[]): string[] {
  return problems.map((p) => p.code);
}
