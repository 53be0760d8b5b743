import { GO_DURATION_PATTERN } from '../go-duration.js';
import type { JsonSchema } from '../interface.js';

export const kubernetesSourceSchema: JsonSchema = {
  type: 'object',
  description: 'Deploys to a Kubernetes namespace: server-side apply of manifests, an image set to a digest, a wait for the rollout; check and get report the live workload.',
  additionalProperties: false,
  properties: {
    kubeconfig: {
      type: 'string',
      description:
        'The kubeconfig as YAML text (use a ((var))), with inline credentials only: `exec`, `auth-provider` and file paths are refused; use the `-data` forms or a `token`. Without it, the engine\'s own identity is used ($KUBECONFIG, ~/.kube/config, or its in-cluster service account), unless the engine runs with WEIR_KUBERNETES_DEFAULT_CREDENTIALS=deny. The same rules as `volume-snapshot`.',
    },
    namespace: { type: 'string', description: 'The namespace to deploy into. Default: the namespace of the kubeconfig\'s current context, else "default", as kubectl does.' },
    workload: {
      type: 'string',
      pattern: '^deployment/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
      description: 'The Deployment that check and get report and `set_image` changes, as `deployment/<name>`. Its versions are its images and generation, reported once a rollout has completed.',
    },
    labels: {
      type: 'object',
      description: 'Labels set on every object a put applies (with `app.kubernetes.io/managed-by: weir`); `action: delete` deletes the objects that carry them all, so an environment\'s teardown removes what its deploys made.',
      additionalProperties: { type: 'string', description: 'A label value.' },
    },
  },
};

export const kubernetesGetParamsSchema: JsonSchema = {
  type: 'object',
  description: 'A get writes the live workload as `workload.yaml` and its version as `version.json`.',
  additionalProperties: false,
  properties: {},
};

export const kubernetesPutParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    action: {
      type: 'string',
      enum: ['apply', 'delete'],
      description: '`apply` (the default) applies `manifests` and/or `set_image`, then waits for the rollouts. `delete` deletes every object carrying the source\'s `labels` (set `no_get: true` on the step).',
    },
    manifests: {
      description: 'Files or directories of the build\'s artifacts holding YAML or JSON manifests (several documents per file allowed), applied with server-side apply as field manager `weir`.',
      anyOf: [
        { type: 'string', description: 'One file or directory.' },
        { type: 'array', minItems: 1, items: { type: 'string', description: 'A file or directory.' }, description: 'Several, applied in this order.' },
      ],
    },
    set_image: {
      type: 'object',
      additionalProperties: false,
      description: 'Sets a container of the source\'s `workload` to an image by digest, as `kubectl set image` does.',
      properties: {
        from: { type: 'string', description: 'The artifact of a get of a `registry-image` resource: its `repository` and `digest` files make `<repository>@<digest>`.' },
        image: { type: 'string', description: 'Instead of `from`, the image reference to set (best with a digest: `repo@sha256:...`).' },
        container: { type: 'string', description: 'The container to change. Default: the workload\'s only container.' },
      },
    },
    wait: { type: 'boolean', description: 'Wait until every applied Deployment has rolled out (generation observed, replicas updated and available). Default: true.' },
    timeout: { type: 'string', pattern: GO_DURATION_PATTERN, description: 'How long to wait for the rollouts. Default: 5m.' },
    rollback_on_failure: {
      type: 'boolean',
      description: 'When a rollout fails or times out, put back the Deployments as they were live before this put (and delete the ones it created), wait for that rollout, then fail the step.',
    },
    kinds: {
      type: 'array',
      items: { type: 'string', pattern: '^[^/]+(/[^/]+)?/[A-Z][A-Za-z0-9]*$', description: '`<apiVersion>/<Kind>`, as `apps/v1/Deployment` or `v1/Service`.' },
      description: 'delete: the kinds to delete. Default: Deployments, StatefulSets, DaemonSets, Jobs, Services, ConfigMaps and Ingresses (claims and Secrets only when listed here).',
    },
  },
};
