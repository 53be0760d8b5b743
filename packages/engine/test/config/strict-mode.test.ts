import { describe, expect, it } from 'vitest';
import { failsStrict } from '../../src/config/strict-mode.js';
import { error, warning } from '../../src/config/problem.js';

describe('what --strict fails on', () => {
  it.each([
    // fly validate-pipeline --strict fails on Concourse's warnings and on what its strict unmarshalling refuses.
    ['invalid-identifier', true],
    ['deprecated-build-logs-to-retain', true],
    ['task-image-overridden', true],
    ['shadowed-local-var', true],
    ['unknown-top-level-key', true],
    ['yaml-boolean-key', true],
    // weir's own warnings that mean a run will break.
    ['resource-source-invalid', true],
    ['get-params-invalid', true],
    ['undeclared-resource-type', true],
    ['teardown-job-passed', true],
    // Fine at run time.
    ['var-undefined', false],
    ['static-var-looks-secret', false],
    ['resource-type-overrides-builtin', false],
    ['across-without-values', false],
  ])('warning %s: %s', (code, fails) => {
    expect(failsStrict(warning(code, [], 'message'))).toBe(fails);
  });

  it('fails on every error, whatever its code', () => {
    expect(failsStrict(error('var-undefined', [], 'message'))).toBe(true);
  });
});
