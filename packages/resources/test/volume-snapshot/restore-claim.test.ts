import { loadYaml } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { restoreClaim, restoreClaimYaml, type RestoreClaimOptions } from '../../src/volume-snapshot/restore-claim.js';

const base: RestoreClaimOptions = { name: 'db-restore', namespace: 'ci', snapshot: { name: 'db-20240501-030405-ab12c', namespace: 'ci' }, size: '2Gi', accessModes: ['ReadWriteOnce'], labels: {} };

describe('restoreClaim', () => {
  it.each([
    {
      title: 'same namespace: dataSource',
      options: base,
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'db-20240501-030405-ab12c' } },
    },
    {
      title: 'another namespace: dataSourceRef with the namespace',
      options: { ...base, namespace: 'pr-12', storageClass: 'fast', accessModes: ['ReadWriteMany'] },
      spec: {
        storageClassName: 'fast',
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: '2Gi' } },
        dataSourceRef: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'db-20240501-030405-ab12c', namespace: 'ci' },
      },
    },
  ])('$title', ({ options, spec }) => {
    expect(restoreClaim(options).spec).toEqual(spec);
  });

  it('renders YAML that reads back as the same claim', async () => {
    const options = { ...base, labels: { 'weir.dev/restored-from': 'db-20240501-030405-ab12c' } };
    const yaml = await restoreClaimYaml(options);
    expect(yaml).toMatch(/^apiVersion: v1\nkind: PersistentVolumeClaim\n/);
    expect(loadYaml(yaml)).toEqual(restoreClaim(options));
  });
});
