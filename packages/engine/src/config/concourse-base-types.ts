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

/** A built-in type's JSON schemas: what it accepts at run time. */
export interface BuiltinTypeSchemas {
  source?: Record<string, unknown>;
  getParams?: Record<string, unknown>;
  putParams?: Record<string, unknown>;
}

/** What the validator knows about resource types beyond the pipeline's own `resource_types`. */
export interface ResourceTypeCatalog {
  /** weir's built-in types (see @weir/resources), aliases included. */
  builtin: ReadonlySet<string>;
  /**
   * The built-in types' schemas by name and alias. Given them, the validator warns about a
   * source or params the type would refuse at run time.
   */
  schemas?: ReadonlyMap<string, BuiltinTypeSchemas>;
}
