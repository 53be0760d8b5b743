import type { ResourceContext } from '@weir/resources';
import type { StepScope } from '../running-build.js';
import type { StepReporter } from './leaf-step.js';

/** What a get or put hands its resource type: resource output goes to the build log. */
export function resourceContext(scope: StepScope, scopeId: number, reporter: StepReporter): ResourceContext {
  const { build } = scope;
  return {
    logger: build.services.logger.child({ buildId: build.id }),
    signal: scope.signal,
    log: (line) => reporter.log('stderr', line),
    redact: (text) => build.redactor.redact(text),
    cacheDir: build.services.resourceCacheDir(scopeId),
    build: scope.outcome === undefined ? build.metadata : { ...build.metadata, status: scope.outcome },
    now: () => new Date(build.services.now()),
    localPaths: build.services.localPaths,
    resolveSecrets: (value, location) => build.secrets.resolve(value, location),
  };
}
