import { describe, expect, it } from 'vitest';
import { parseKubernetesTag } from '../src/kubernetes-options.js';

describe('--kubernetes-tag', () => {
  it.each([
    { text: 'gpu=namespace=ci-gpu,node.accelerator=nvidia,node.pool=big', expected: ['gpu', { namespace: 'ci-gpu', nodeSelector: { accelerator: 'nvidia', pool: 'big' } }] },
    { text: 'cluster', expected: ['cluster', {}] },
    { text: 'arm=node.kubernetes.io/arch=arm64', expected: ['arm', { nodeSelector: { 'kubernetes.io/arch': 'arm64' } }] },
  ])('reads $text', ({ text, expected }) => {
    expect(parseKubernetesTag(text)).toEqual(expected);
  });

  it.each(['=namespace=x', 'gpu=zone=a', 'gpu=namespace=', 'gpu=node.=x'])('refuses %s with the shape to write', (text) => {
    expect(() => parseKubernetesTag(text)).toThrow(expect.objectContaining({ hint: expect.stringContaining('NAME=namespace=NS,node.LABEL=VALUE') }));
  });
});
