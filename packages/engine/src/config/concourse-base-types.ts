/**
 * The resource types every Concourse worker ships, so real pipelines use them without declaring
 * them under `resource_types`. weir implements some itself (see @weir/resources); for the others
 * it says so instead of failing a pipeline that Concourse would accept.
 */
export const CONCOURSE_BASE_RESOURCE_TYPES: readonly string[] = [
  'bosh-io-release',
  'bosh-io-stemcell',
  'cf',
  'docker-image',
  'git',
  'github-release',
  'hg',
  'mock',
  'pool',
  'registry-image',
  's3',
  'semver',
  'time',
  'tracker',
];

/** What the validator knows about resource types beyond the pipeline's own `resource_types`. */
export interface ResourceTypeCatalog {
  /** weir's built-in types (see @weir/resources), aliases included. */
  builtin: ReadonlySet<string>;
}
