/**
 * The resource types every Concourse worker ships, so real pipelines use them without declaring
 * them under `resource_types`. weir implements some itself (see @weir/resources); the others it
 * runs from the images Concourse builds them into.
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

/** The Docker Hub repositories of the base types weir has no built-in for. */
export const CONCOURSE_BASE_TYPE_REPOSITORIES: Readonly<Record<string, string>> = {
  'bosh-io-release': 'concourse/bosh-io-release-resource',
  'bosh-io-stemcell': 'concourse/bosh-io-stemcell-resource',
  cf: 'concourse/cf-resource',
  'docker-image': 'concourse/docker-image-resource',
  'github-release': 'concourse/github-release-resource',
  hg: 'concourse/hg-resource',
  pool: 'concourse/pool-resource',
  s3: 'concourse/s3-resource',
  semver: 'concourse/semver-resource',
  tracker: 'concourse/tracker-resource',
};

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
