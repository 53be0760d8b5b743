import { describe, expect, it } from 'vitest';
import { pipelinePath } from '../src/api.js';

describe('pipelinePath', () => {
  it('names the pipeline and adds its instance vars and other parameters as one query', () => {
    expect(pipelinePath({ name: 'app' })).toBe('/pipelines/app');
    expect(pipelinePath({ name: 'a b', instanceVars: {} }, '/graph')).toBe('/pipelines/a%20b/graph');
    const path = pipelinePath({ name: 'app', instanceVars: { pr: 12, branch: 'x y&z' } }, '', { include_config: 'false' });
    const url = new URL(path, 'http://weir.test');
    expect(url.pathname).toBe('/pipelines/app');
    expect(url.searchParams.get('include_config')).toBe('false');
    expect(JSON.parse(url.searchParams.get('instance_vars')!)).toEqual({ pr: 12, branch: 'x y&z' });
  });
});
