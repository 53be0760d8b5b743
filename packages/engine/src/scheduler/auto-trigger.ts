import type { Reason } from './decisions.js';
import { noNewTriggerVersion, noTriggerInput } from './reasons.js';
import type { ChosenInput, SchedulableJob } from './snapshot.js';

/**
 * Why resolved inputs would not create a build by themselves, or null when they would: as in
 * Concourse's scheduler, a build is created only when some `trigger: true` input has a version
 * no earlier build of the job used for it.
 */
export function whyNotTriggered(job: SchedulableJob, nextInputs: readonly ChosenInput[]): Reason | null {
  const triggerInputs = job.inputs.filter((input) => input.trigger);
  if (triggerInputs.length === 0) return noTriggerInput(job.name);
  const hasNewVersion = job.inputs.some((input, i) => input.trigger && nextInputs[i]?.firstOccurrence === true);
  return hasNewVersion ? null : noNewTriggerVersion(triggerInputs.map((input) => input.name));
}
