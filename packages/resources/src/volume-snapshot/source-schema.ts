import type { JsonSchema } from '../interface.js';
import { GO_DURATION_PATTERN } from './duration.js';

const DNS_LABEL_PREFIX = '^[a-z0-9]([-a-z0-9.]*)?$';

const accessModes: JsonSchema = {
  type: 'array',
  description: 'Access modes of the restored claim. Default: ["ReadWriteOnce"].',
  minItems: 1,
  items: { type: 'string', enum: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'], description: 'A Kubernetes access mode.' },
};

const claimShape = {
  to_pvc: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253, description: 'kubernetes: the name of the claim to create from the snapshot.' },
  storage_class: { type: 'string', description: 'kubernetes: the storage class of the restored claim. Default: the cluster\'s default class.' },
  size: {
    type: 'string',
    pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$',
    description: 'kubernetes: the requested size of the restored claim, as a Kubernetes quantity (`20Gi`). It must be at least the snapshot\'s restore size, which is the default.',
  },
  access_modes: accessModes,
};

export const volumeSnapshotSourceSchema: JsonSchema = {
  type: 'object',
  description: 'Snapshots of a volume: CSI VolumeSnapshots of PersistentVolumeClaims (driver `kubernetes`) or copies of a directory on this machine (driver `local`).',
  additionalProperties: false,
  properties: {
    driver: {
      type: 'string',
      enum: ['local', 'kubernetes'],
      description: '`local` (the default) snapshots the directory `path` into `store` on the machine running weir; `kubernetes` creates snapshot.storage.k8s.io/v1 VolumeSnapshots.',
    },
    kubeconfig: {
      type: 'string',
      description:
        'kubernetes: the kubeconfig as YAML text (use a ((var))), with inline credentials only: `exec`, `auth-provider` and file paths (`tokenFile`, `client-certificate`, `client-key`, `certificate-authority`) are refused; use the `-data` forms or a `token`. Without it, the engine\'s own identity is used: its $KUBECONFIG, ~/.kube/config, or in-cluster service account, unless the engine runs with WEIR_KUBERNETES_DEFAULT_CREDENTIALS=deny.',
    },
    namespace: { type: 'string', description: 'kubernetes: the namespace of the claims and snapshots. Default: the namespace of the kubeconfig\'s current context (for a weir running in a pod without `kubeconfig`, the pod\'s own namespace), else "default", as kubectl does.' },
    pvc: { type: 'string', description: 'kubernetes: the PersistentVolumeClaim to snapshot. Give this or `pvc_selector`.' },
    pvc_selector: {
      type: 'string',
      description: 'kubernetes: a label selector (`app=db,tier!=cache`) for several claims; a put snapshots each, and retention counts each claim\'s snapshots apart.',
    },
    snapshot_class: { type: 'string', description: 'kubernetes: the VolumeSnapshotClass. Default: the cluster\'s default class for the claim\'s CSI driver.' },
    name_prefix: {
      type: 'string',
      pattern: DNS_LABEL_PREFIX,
      maxLength: 30,
      description: 'Snapshot names are `<name_prefix>[<claim>-]<yyyymmdd>-<hhmmss>-<random>` (the claim only with `pvc_selector`). Default: `<pvc>-` for kubernetes, `snapshot-` for local. Part of what makes snapshots this resource\'s own.',
    },
    labels: {
      type: 'object',
      description: 'kubernetes: extra labels on every snapshot created. The `weir.dev/` labels are weir\'s own and cannot be set here.',
      additionalProperties: { type: 'string', description: 'A label value.' },
    },
    retention: {
      type: 'object',
      description: 'After each successful create, delete this resource\'s own ready snapshots, oldest first, beyond these limits. Never touches snapshots that another resource or a person made.',
      additionalProperties: false,
      properties: {
        max_count: { type: 'integer', minimum: 1, description: 'Keep at most this many snapshots (of each claim with `pvc_selector`).' },
        max_age: { type: 'string', pattern: GO_DURATION_PATTERN, description: 'Delete snapshots older than this Go duration (`72h`, `30m`), measured on the engine\'s clock.' },
      },
    },
    path: { type: 'string', description: 'local: the absolute path of the directory to snapshot.' },
    store: {
      type: 'string',
      description: 'local: the absolute path of the directory that keeps the snapshots, one subdirectory each with a `<name>.json` beside it. Best on the same filesystem as `path`, so reflinks and hard links work.',
    },
    mode: {
      type: 'string',
      enum: ['reflink-or-copy', 'hardlink', 'copy'],
      description:
        'local: how files get into a snapshot. `reflink-or-copy` (the default) clones each file where the filesystem can (btrfs, XFS, APFS: unchanged data is shared, later writes are not) and copies it where it cannot. `hardlink` shares every file with the live directory: fast and small, but a program that writes a file in place (most databases) changes the snapshot too, so only use it when files are replaced, never modified. `copy` always copies.',
    },
  },
  allOf: [
    {
      if: { properties: { driver: { const: 'kubernetes', description: 'The kubernetes driver needs a claim or a selector; the local one a path and a store.' } }, required: ['driver'] },
      then: { oneOf: [{ required: ['pvc'] }, { required: ['pvc_selector'] }] },
      else: { required: ['path', 'store'] },
    },
  ],
};

export const volumeSnapshotGetParamsSchema: JsonSchema = {
  type: 'object',
  description: 'A get writes `snapshot.json`, and for kubernetes a ready-to-apply `restore-pvc.yaml` built from these.',
  additionalProperties: false,
  properties: {
    ...claimShape,
    to_pvc: { ...claimShape.to_pvc, description: 'kubernetes: the claim name in `restore-pvc.yaml`. Default: `<snapshot name>-restore`.' },
  },
};

export const volumeSnapshotPutParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    action: {
      type: 'string',
      enum: ['create', 'restore', 'delete'],
      description: '`create` (the default) takes a snapshot, waits until it is ready and applies retention; `restore` makes a new claim (or directory) from one; `delete` deletes one of this resource\'s snapshots, or all of them. After `delete`, set `no_get: true` on the step: there is no snapshot left to fetch.',
    },
    name: { type: 'string', description: 'restore, delete: the snapshot, by name.' },
    from: {
      type: 'string',
      description: 'restore: instead of `name`, the artifact of a get of this resource (its directory, or its `snapshot.json`), so the restore uses the version the build fetched.',
    },
    all: { type: 'boolean', description: 'delete: delete every snapshot this resource owns (cleanup at the end of a pipeline).' },
    timeout: {
      type: 'string',
      pattern: GO_DURATION_PATTERN,
      description: 'create: how long to wait for the snapshot to be ready; restore with `wait`: how long to wait for the claim to bind. Default: 10m.',
    },
    ...claimShape,
    namespace: { type: 'string', description: 'kubernetes restore: the namespace of the new claim. Default: the source\'s namespace (a snapshot can only be restored in its own namespace).' },
    wait: { type: 'boolean', description: 'kubernetes restore: wait until the claim is Bound, and fail with the provisioner\'s reason when it cannot be. Leave off for storage classes that bind on first use.' },
    to: { type: 'string', description: 'local restore: the absolute path of the directory to restore into. It must be empty or missing unless `overwrite` is set.' },
    overwrite: {
      type: 'boolean',
      description:
        'restore: replace what the target holds. local: the snapshot is copied into a hidden sibling of `to`, which then takes its place (a failed restore leaves `to` as it was). kubernetes: the existing claim `to_pvc` is deleted, weir waits until it is gone, and recreates it from the snapshot; refused while a pod that is not finished mounts the claim. Not with `keep_existing`.',
    },
    keep_existing: {
      type: 'boolean',
      description:
        'restore: when the target already exists (a non-empty `to` directory, or a claim named `to_pvc`), leave it as it is and succeed without restoring (the version\'s metadata says `kept_existing`). For seeding an environment once: the first deploy restores, later ones keep what the environment has become. Not with `overwrite`.',
    },
  },
};
