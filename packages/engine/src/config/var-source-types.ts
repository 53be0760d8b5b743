/**
 * Credential manager types a pipeline's `var_sources` may name: Concourse's per-pipeline types,
 * plus `kubernetes`, which Concourse only has as the server's credential manager and weir reads
 * per pipeline too; and those still only a Concourse server's own (Concourse refuses them in
 * `var_sources` with "not supported in pipeline yet"). Of these, weir reads vault, kubernetes
 * and dummy at run time (secrets/var-source-managers.ts).
 */
export const PIPELINE_VAR_SOURCE_TYPES: readonly string[] = ['vault', 'kubernetes', 'dummy', 'ssm', 'secretsmanager', 'idtoken'];

export const SERVER_ONLY_VAR_SOURCE_TYPES: readonly string[] = ['credhub', 'conjur'];
