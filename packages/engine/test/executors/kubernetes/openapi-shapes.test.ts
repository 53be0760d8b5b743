import { describe, expect, it } from 'vitest';
import { shapeProblems } from '../../support/kube-openapi-shapes.js';

describe('shapeProblems, the simulator held to the Kubernetes OpenAPI types', () => {
  it('finds fields a type lacks and values of the wrong type, and passes a valid pod', () => {
    expect(shapeProblems({ metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', command: ['true'] }] }, status: { phase: 'Running' } }, 'V1Pod')).toEqual([]);
    expect(shapeProblems({ spec: { containers: [{ name: 'c', cmd: ['true'] }], restartPolicy: 3 } }, 'V1Pod')).toEqual(['$.spec.containers[0].cmd: not a field of V1Container', '$.spec.restartPolicy: not a string']);
  });
});
