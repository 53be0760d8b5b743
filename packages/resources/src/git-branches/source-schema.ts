import { gitSourceSchema } from '../git/source-schema.js';
import type { JsonSchema } from '../interface.js';

/** How the repository is reached: the very fields (and descriptions) of the `git` type. */
const gitProperties = gitSourceSchema.properties as Record<string, JsonSchema>;
const ACCESS_FIELDS = ['uri', 'username', 'password', 'private_key', 'private_key_user', 'git_config', 'skip_ssl_verification'] as const;

export const gitBranchesSourceSchema: JsonSchema = {
  type: 'object',
  description:
    'Every branch of a git repository whose name matches `branches` (a glob) or `branch_regex`: a version per change of that set of branches or of one of their heads, for a watcher that sets a pipeline instance per branch (`across` over `branches.json` + `set_pipeline`).',
  required: ['uri'],
  additionalProperties: false,
  properties: {
    ...Object.fromEntries(ACCESS_FIELDS.map((field) => [field, gitProperties[field]])),
    branches: {
      type: 'string',
      minLength: 1,
      description:
        'A glob the whole branch name must match: `*` and `?` stay within one `/` level, `**` crosses levels, `{feature,fix}/*` names alternatives. E.g. `feature/*`. Not with branch_regex; without either, every branch.',
    },
    branch_regex: {
      type: 'string',
      minLength: 1,
      description: 'An extended regular expression the whole branch name must match (as tag_regex of the git type), e.g. `(feature|fix)/[a-z0-9-]+`. Not with branches.',
    },
  },
  dependencies: gitSourceSchema.dependencies,
};

export const gitBranchesGetParamsSchema: JsonSchema = {
  type: 'object',
  description:
    'A get fetches no code: it writes `branches.json`, the matching branches of the version as `[{"name": "feature/a", "commit": "<sha>", "slug": "feature-a-1f3c9e02"}]` sorted by name, for `load_var` and `across`; `slug` is the name made fit for image tags, paths and host names. Check the code out with a `git` resource per branch.',
  additionalProperties: false,
  properties: {},
};
