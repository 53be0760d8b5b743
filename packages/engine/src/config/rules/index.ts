import { displayConfig } from './display.js';
import { durations } from './durations.js';
import { emptyTypes } from './empty-types.js';
import { groupMembership } from './groups.js';
import { jobSettings } from './job-settings.js';
import { triggerVars } from './trigger-vars.js';
import { jobsPresent } from './jobs-present.js';
import { uniqueNames } from './names.js';
import { passedCycles } from './passed-cycles.js';
import { prototypes } from './prototypes.js';
import { resourceConfigs } from './resource-config.js';
import { resourceReferences } from './resource-references.js';
import { resourceTypesKnown } from './resource-types.js';
import type { Rule } from './rule.js';
import { stepRules } from './steps.js';
import { teardownJob } from './teardown-job.js';
import { inlineTaskConfigs } from './task-config.js';
import { topLevelKeys } from './top-level-keys.js';
import { varSources } from './var-sources.js';

export const PIPELINE_RULES: readonly Rule[] = [
  topLevelKeys,
  uniqueNames,
  resourceReferences,
  groupMembership,
  stepRules,
  inlineTaskConfigs,
  durations,
  resourceTypesKnown,
  resourceConfigs,
  teardownJob,
  jobsPresent,
  passedCycles,
  jobSettings,
  triggerVars,
  emptyTypes,
  prototypes,
  varSources,
  displayConfig,
];

export type { Rule, RuleContext } from './rule.js';
export { checkTaskConfig } from './task-config.js';
