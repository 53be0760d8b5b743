import { WeirError } from '../errors.js';
import type { Plan } from './plan/plan.js';
import type { StepScope } from './running-build.js';
import { runAcrossStep } from './steps/across-step.js';
import { runAttemptsStep, runDoStep, runInParallelStep, runTryStep } from './steps/control-steps.js';
import { runGetStep } from './steps/get-step.js';
import { runHookStep } from './steps/hook-step.js';
import { runLeafStep } from './steps/leaf-step.js';
import { runLoadVarStep } from './steps/load-var-step.js';
import { runPutStep } from './steps/put-step.js';
import { runSetPipelineStep } from './steps/set-pipeline-step.js';
import { runTaskStep } from './steps/task-step.js';
import { runTimeoutStep } from './steps/timeout-step.js';

/**
 * Interprets one plan node. Resolves true when the step succeeded and false when it failed;
 * rejects when it errored (`StepErrored`) or was stopped (`StepStopped`).
 */
export function runPlan(plan: Plan, scope: StepScope): Promise<boolean> {
  switch (plan.kind) {
    case 'get':
      return runGetStep(plan, scope);
    case 'put':
      return runPutStep(plan, scope);
    case 'task':
      return runTaskStep(plan, scope);
    case 'set_pipeline':
      return runSetPipelineStep(plan, scope);
    case 'load_var':
      return runLoadVarStep(plan, scope);
    case 'run':
      return runLeafStep(plan, plan.type, scope, async () => {
        throw new WeirError('step-unsupported', 'the run step (Concourse prototypes) is not supported by weir', {
          location: `run ${plan.message}`,
          hint: 'use a task step instead',
        });
      });
    case 'do':
      return runDoStep(plan, scope);
    case 'try':
      return runTryStep(plan, scope);
    case 'in_parallel':
      return runInParallelStep(plan, scope);
    case 'across':
      return runAcrossStep(plan, scope);
    case 'attempts':
      return runAttemptsStep(plan, scope);
    case 'timeout':
      return runTimeoutStep(plan, scope);
    case 'on_success':
    case 'on_failure':
    case 'on_error':
    case 'on_abort':
    case 'ensure':
      return runHookStep(plan, scope);
    default: {
      const unknown: never = plan;
      throw new Error(`unknown plan kind ${JSON.stringify(unknown)}`);
    }
  }
}
