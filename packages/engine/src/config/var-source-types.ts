/**
 * Credential manager types a pipeline's `var_sources` may name, as Concourse sorts them: the
 * types it supports per pipeline, and those it only supports as the server's own credential
 * manager (it refuses them in `var_sources` with "not supported in pipeline yet").
 */
export const PIPELINE_VAR_SOURCE_TYPES: readonly string[] = ['vault', 'dummy', 'ssm', 'secretsmanager', 'idtoken'];

export const SERVER_ONLY_VAR_SOURCE_TYPES: readonly string[] = ['credhub', 'kubernetes', 'conjur'];
