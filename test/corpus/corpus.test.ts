import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfig, loadPipeline, loadTaskConfig, type Problem } from '@weir/engine';
import { builtinResourceTypeCatalog } from '@weir/resources';
import { corpusFiles, requireCorpus } from '../support/corpus.js';

const corpus = requireCorpus();
const resourceTypes = builtinResourceTypeCatalog();

/** File names listed in unsupported.md as "- `name`: reason". */
function unsupportedFiles(): Set<string> {
  const text = readFileSync(new URL('./unsupported.md', import.meta.url), 'utf8');
  return new Set([...text.matchAll(/^- `([^`]+)`:/gm)].map((m) => m[1] as string));
}

function errorsOf(problems: Problem[]): string[] {
  return problems.filter((p) => p.severity === 'error').map((p) => `${p.line}:${p.column} ${p.code} ${p.message}`);
}

describe.skipIf(corpus === undefined)('compatibility corpus', () => {
  it('validates every real pipeline and task file without errors', () => {
    const unsupported = unsupportedFiles();
    const failures: string[] = [];
    let pipelinesValid = 0;
    let tasksValid = 0;
    const pipelines = corpusFiles('pipelines');
    const tasks = corpusFiles('tasks');
    for (const [files, load, count] of [
      [pipelines, loadPipeline, () => pipelinesValid++],
      [tasks, loadTaskConfig, () => tasksValid++],
    ] as const) {
      for (const file of files) {
        const name = path.basename(file);
        const result = load(readFileSync(file, 'utf8'), { file: name, missingVars: 'warning', resourceTypes });
        const errors = errorsOf(result.problems);
        if (errors.length === 0) {
          count();
          expect(result.config).toBeDefined();
        } else if (!unsupported.has(name)) {
          failures.push(`${name}\n    ${errors.join('\n    ')}`);
        }
      }
    }
    console.log(`corpus: ${pipelinesValid}/${pipelines.length} pipelines valid, ${tasksValid}/${tasks.length} tasks valid`);
    expect(pipelines.length).toBeGreaterThan(0);
    expect(tasks.length).toBeGreaterThan(0);
    expect(failures, `files that fail and are not in test/corpus/unsupported.md:\n${failures.join('\n')}`).toEqual([]);
  });

  it('formats every file safely: same meaning, idempotent, comments kept', () => {
    const problems: string[] = [];
    for (const file of [...corpusFiles('pipelines'), ...corpusFiles('tasks')]) {
      const text = readFileSync(file, 'utf8');
      const once = formatConfig(text);
      if (once.text === undefined) {
        problems.push(`${path.basename(file)}: ${once.problems.map((p) => p.code).join(', ')}`);
        continue;
      }
      if (formatConfig(once.text).text !== once.text) problems.push(`${path.basename(file)}: not idempotent`);
      for (const comment of text.match(/(?<=^|\s)#.*$/gm) ?? []) {
        if (!once.text.includes(comment.trim())) problems.push(`${path.basename(file)}: lost comment ${comment}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
