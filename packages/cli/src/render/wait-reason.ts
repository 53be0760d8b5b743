import type { ApiExplanation, ApiResource } from '../client/api-types.js';

/**
 * Why a pending build has not started, from the scheduler's explanation of its job: the summary,
 * and for each input without a version whose resource's last check failed, that failure (the
 * explanation says only that the resource has no usable version).
 */
export function describeWait(explanation: ApiExplanation, resources: readonly ApiResource[]): string[] {
  const lines = [`not started yet: ${explanation.summary}`];
  const checkErrors = new Map(resources.flatMap((resource) => (resource.check_error === null ? [] : [[resource.name, resource.check_error] as const])));
  for (const input of explanation.inputs) {
    const error = input.chosen === null ? checkErrors.get(input.resource) : undefined;
    if (error !== undefined) lines.push(`  input ${input.name}: the last check of ${input.resource} failed: ${firstLine(error)}`);
  }
  return lines;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length < text.length ? `${line} …` : line;
}
