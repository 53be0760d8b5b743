import type { ApiExplanation } from '../client/api-types.js';
import { formatVersionFields } from '../version-fields.js';
import type { Palette } from './palette.js';

/**
 * The scheduler's explanation as a person reads it: the summary first, then what holds the
 * whole job back, then each input with the version chosen or why none could be.
 */
export function renderExplanation(explanation: ApiExplanation, paint: Palette): string {
  const lines = [`${paint.bold(`${explanation.pipeline}/${explanation.job}`)}: ${explanation.summary}`];
  if (explanation.blockers.length > 0) {
    lines.push('', paint.bold('held back by:'));
    for (const blocker of explanation.blockers) lines.push(`  ${blocker.message} ${paint.dim(`(${blocker.code})`)}`);
  }
  if (explanation.inputs.length > 0) lines.push('', paint.bold('inputs:'));
  for (const input of explanation.inputs) {
    const subject = input.name === input.resource ? input.name : `${input.name} (resource ${input.resource})`;
    const chosen = input.candidates.find((candidate) => candidate.version_id === input.chosen);
    if (input.chosen !== null) {
      lines.push(`  ${paint.green('✓')} ${subject}: version ${chosen ? formatVersionFields(chosen.version) : `id ${input.chosen}`}`);
    } else {
      lines.push(`  ${paint.red('✗')} ${subject}: ${input.reasons.map((reason) => reason.message).join('; ') || 'no version yet'}`);
    }
    for (const candidate of input.candidates) {
      if (candidate.accepted) continue;
      const why = candidate.rejections.map((reason) => reason.message).join('; ');
      lines.push(`      ${paint.dim(`${formatVersionFields(candidate.version)}: ${why}`)}`);
    }
    if (input.omitted_candidates > 0) lines.push(`      ${paint.dim(`and ${input.omitted_candidates} more version(s) not shown`)}`);
  }
  return `${lines.join('\n')}\n`;
}
