import { extname } from 'node:path';
import { parse } from 'yaml';
import { WeirError } from '../../errors.js';
import type { LoadVarPlan } from '../plan/plan.js';
import { readArtifactFile } from '../artifact-file.js';
import type { StepScope } from '../running-build.js';
import { runLeafStep } from './leaf-step.js';

/** Reads a file into a local var, `((.:name))`; unless `reveal`, its values are redacted from logs. */
export function runLoadVarStep(plan: LoadVarPlan, scope: StepScope): Promise<boolean> {
  const location = `load_var ${plan.name}`;
  return runLeafStep(plan, plan.name, scope, async () => {
    const step = scope.vars.interpolate(await scope.build.secrets.resolve(plan, location), location);
    const text = await readArtifactFile(scope.artifacts, step.file, location);
    const format = step.format ?? formatFromExtension(step.file);
    const value = parseVarText(text, format, step.file, location);
    if (!step.reveal) scope.build.redactor.addValue(value);
    scope.vars.set(step.name, value);
    return { ok: true };
  });
}

function formatFromExtension(file: string): NonNullable<LoadVarPlan['format']> {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yml' || ext === '.yaml') return 'yaml';
  return 'trim';
}

function parseVarText(text: string, format: NonNullable<LoadVarPlan['format']>, file: string, location: string): unknown {
  try {
    switch (format) {
      case 'json':
        return JSON.parse(text);
      case 'yaml':
      case 'yml':
        return parse(text);
      case 'trim':
        return text.trim();
      case 'raw':
        return text;
      default: {
        const unknown: never = format;
        throw new Error(`unknown format ${String(unknown)}`);
      }
    }
  } catch (error) {
    throw new WeirError('load-var-unparsable', `${file} is not valid ${format}: ${(error as Error).message}`, {
      location,
      hint: 'fix the file, or set format: raw (or trim) to load it as text',
    });
  }
}
