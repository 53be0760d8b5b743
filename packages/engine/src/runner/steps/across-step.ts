import { WeirError } from '../../errors.js';
import type { AcrossPlan, AcrossVar } from '../plan/plan.js';
import type { StepScope } from '../running-build.js';
import { runPlan } from '../run-plan.js';
import { runConcurrently } from './run-concurrently.js';

/**
 * Runs the step once per combination of the vars' values. Vars nest as Concourse nests them:
 * the first var's values are the outer loop, each with its own `max_in_flight`. Each run has
 * its own local vars and artifacts, and its events carry the combination in their origin.
 */
export async function runAcrossStep(plan: AcrossPlan, scope: StepScope): Promise<boolean> {
  const location = `across step ${plan.id}`;
  const vars = plan.vars.map((v) => ({ ...v, values: valuesOf(v, scope, location) }));
  const runLevel = (level: number, chosen: number[], levelScope: StepScope): Promise<boolean> => {
    const current = vars[level]!;
    const limit = current.max_in_flight === 'all' ? current.values.length : current.max_in_flight;
    return runConcurrently(
      levelScope,
      { count: current.values.length, limit, failFast: plan.fail_fast, planId: `${plan.id}/${level}` },
      (index, signal) => {
        const path = [...chosen, index];
        const branch = { ...levelScope, signal };
        if (level + 1 < vars.length) return runLevel(level + 1, path, branch);
        const localVars = scope.vars.child();
        path.forEach((valueIndex, varIndex) => localVars.set(vars[varIndex]!.name, vars[varIndex]!.values[valueIndex]));
        return runPlan(plan.step, {
          ...branch,
          vars: localVars,
          artifacts: scope.artifacts.child(),
          prefix: `${scope.prefix}${plan.id}[${path.join(',')}]/`,
        });
      },
    );
  };
  if (vars.some((v) => v.values.length === 0)) return true;
  return runLevel(0, [], scope);
}

function valuesOf(acrossVar: AcrossVar, scope: StepScope, location: string): unknown[] {
  const values = scope.vars.interpolate(acrossVar.values as unknown, location);
  if (!Array.isArray(values)) {
    throw new WeirError('across-values-invalid', `the values of across var ${acrossVar.name} are not a list`, {
      location,
      hint: 'give a YAML list, or a ((.:var)) that load_var set to a list',
    });
  }
  return values;
}
