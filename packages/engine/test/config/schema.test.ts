import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { implementedResourceTypes } from '@weir/resources';
import {
  emitJsonSchema,
  pipelineJsonSchema,
  publishedSchemas,
  serializeJsonSchema,
  STEP_KIND_DEFINITIONS,
  STEP_KIND_KEYS,
  taskJsonSchema,
  type JsonSchemaDocument,
  type PipelineConfig,
  type StepConfig,
} from '../../src/config/schema/index.js';

const schemasDirectory = new URL('../../../../schemas/', import.meta.url);

const documents: Record<string, JsonSchemaDocument> = {
  'pipeline.schema.json': pipelineJsonSchema,
  'task.schema.json': taskJsonSchema,
};

const published = publishedSchemas(implementedResourceTypes());

function compile(schema: JsonSchemaDocument) {
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
  return ajv.compile(schema);
}

const validatePipeline = compile(pipelineJsonSchema);
const validateTask = compile(taskJsonSchema);

/** ajv's errors reduced to what the loader relies on: keyword, location and parameters. */
function errorsOf(validate: ReturnType<typeof compile>, document: unknown) {
  validate(document);
  return (validate.errors ?? []).map(({ keyword, instancePath, params }) => ({ keyword, instancePath, params }));
}

function pointer(segments: readonly string[]): string {
  return segments.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** JSON pointers of every property schema (and definition) that has no description. */
function undescribed(node: unknown, at: string[] = []): string[] {
  if (typeof node !== 'object' || node === null) {
    return [];
  }
  const found: string[] = [];
  const record = node as Record<string, unknown>;
  for (const mapKeyword of ['properties', 'definitions']) {
    const map = record[mapKeyword];
    if (typeof map === 'object' && map !== null && !Array.isArray(map)) {
      for (const [name, schema] of Object.entries(map)) {
        const description = (schema as { description?: unknown }).description;
        if (typeof description !== 'string' || description.trim() === '') {
          found.push(pointer([...at, mapKeyword, name]));
        }
      }
    }
  }
  for (const [key, value] of Object.entries(record)) {
    found.push(...undescribed(value, [...at, key]));
  }
  return found;
}

const fullPipeline = parse(`
meta:
  busybox: &busybox
    type: registry-image
    source: {repository: busybox}

display:
  background_image: https://example.com/background.png
  background_filter: opacity(20%)

var_sources:
- name: vault
  type: vault
  config: {url: https://vault.example.com, path_prefix: /concourse}

resource_types:
- name: slack
  type: registry-image
  source: {repository: cfcommunity/slack-notification-resource}
  defaults: {url: https://hooks.example.com}
  privileged: false
  params: {format: oci}
  check_every: 24h
  tags: [internal]

prototypes:
- name: oci-build
  type: registry-image
  source: {repository: concourse/oci-build-task}
  privileged: true

resources:
- name: repo
  type: git
  icon: github
  source: {uri: https://example.com/app.git, branch: main}
  old_name: source
  check_every: never
  check_timeout: 5m
  webhook_token: ((webhook-token))
  public: true
  expose_build_created_by: true
  tags: [internal]
- name: image
  type: registry-image
  source: {repository: example/app}
  version: {digest: "sha256:0123"}
- name: notify
  type: slack

groups:
- name: everything
  jobs: [build, "ship-*"]

jobs:
- name: build
  old_name: compile
  serial: true
  serial_groups: [releases]
  max_in_flight: 1
  public: true
  disable_manual_trigger: false
  interruptible: true
  build_log_retention: {builds: 50, days: 14, minimum_succeeded_builds: 1}
  plan:
  - in_parallel:
      limit: 2
      fail_fast: true
      steps:
      - get: repo
        trigger: true
        version: every
        params: {depth: 1}
        timeout: 10m
        attempts: 3
        tags: [internal]
      - get: base-image
        resource: image
        version: latest
  - in_parallel:
    - load_var: version
      file: repo/version.json
      format: json
      reveal: true
    - get: pinned
      resource: image
      version: {digest: "sha256:0123"}
  - task: unit
    image: base-image
    privileged: true
    hermetic: true
    params: {GOFLAGS: -mod=vendor, RETRIES: 3, DEBUG: null}
    container_limits: {cpu: 512, memory: 1GB}
    input_mapping: {source: repo}
    output_mapping: {binary: app-binary}
    config:
      platform: linux
      image_resource:
        <<: *busybox
        params: {format: rootfs}
        version: {digest: "sha256:4567"}
      inputs:
      - name: source
        path: src
      - name: cache-seed
        optional: true
      outputs:
      - name: binary
        path: out
      caches:
      - path: src/.cache
      params: {CGO_ENABLED: "0"}
      run:
        path: sh
        args: [-exc, make test]
        dir: src
        user: nobody
      container_limits: {cpu: 256, memory: 1073741824}
    on_success:
      put: notify
      params: {text: passed}
    on_failure:
      try:
        put: notify
        params: {text: failed}
    on_error:
      do:
      - task: collect-logs
        file: repo/ci/collect-logs.yml
        vars: {level: debug}
    on_abort:
      put: notify
      inputs: detect
      params: {text: aborted}
    ensure:
      run: clean
      type: oci-build
      params: {keep: false}
      privileged: false
  - across:
    - var: platform
      values: [linux, darwin]
      max_in_flight: all
    - var: version
      values: ["1.22", "1.23"]
      max_in_flight: 2
    fail_fast: true
    task: build-((.:platform))
    file: repo/ci/build.yml
    vars: {platform: ((.:platform)), go: ((.:version))}
  - put: image
    resource: image
    inputs: [app-binary]
    params: {image: app-binary/image.tar}
    get_params: {skip_download: true}
    no_get: false
  - put: notify
    inputs: all
    no_get: true
  on_success:
    put: notify
    params: {text: build succeeded}
  on_failure:
    put: notify
  on_error:
    put: notify
  on_abort:
    put: notify
  ensure:
    put: notify

- name: ship-pipelines
  build_logs_to_retain: 20
  plan:
  - get: repo
    passed: [build]
    trigger: true
  - set_pipeline: self
    file: repo/ci/pipeline.yml
  - set_pipeline: app
    file: repo/ci/app.yml
    instance_vars: {branch: main}
    vars: {replicas: 2}
    var_files: [repo/ci/vars.yml]
    team: apps
`, { merge: true }) as unknown;

const typicalTask = parse(`
platform: linux
image_resource:
  type: registry-image
  source: {repository: golang, tag: "1.23"}
inputs:
- name: repo
outputs:
- name: built
caches:
- path: repo/.go-cache
params:
  GOOS: linux
  VERBOSE:
run:
  path: repo/ci/build.sh
  args: [--release]
container_limits: {memory: 512MB}
`) as unknown;

/** A one-job pipeline around the given step, for the targeted rejection cases. */
function withStep(step: Record<string, unknown>) {
  return { resources: [{ name: 'repo', type: 'git', source: {} }], jobs: [{ name: 'job', plan: [step] }] };
}

describe('committed JSON schemas', () => {
  for (const [fileName, document] of Object.entries(published)) {
    it(`${fileName} matches the TypeBox source`, () => {
      const committed = readFileSync(new URL(fileName, schemasDirectory), 'utf8');
      expect(committed, `schemas/${fileName} is out of date: run \`pnpm schemas\``).toBe(serializeJsonSchema(document));
    });
  }
});

describe('schema documents', () => {
  it.each(Object.entries(published))('%s describes every property and definition', (_fileName, document) => {
    expect(undescribed(document)).toEqual([]);
  });

  it.each(Object.entries(documents))('%s is draft-07 without TypeBox leftovers', (_fileName, document) => {
    const text = JSON.stringify(document);
    expect(document.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(text).not.toContain('"$id"');
    expect(text).not.toContain('x-kind-keys');
    for (const [, target] of text.matchAll(/"\$ref":"([^"]*)"/g)) {
      expect(target).toMatch(/^#\/definitions\//);
      expect(document.definitions).toHaveProperty(String(target).slice('#/definitions/'.length));
    }
  });

  it('keeps the task schema to task-config definitions', () => {
    expect(Object.keys(taskJsonSchema.definitions ?? {}).sort()).toEqual([
      'ContainerLimits',
      'TaskCache',
      'TaskImageResource',
      'TaskInput',
      'TaskOutput',
      'TaskRun',
    ]);
  });

  it('dispatches steps on their kind key', () => {
    const step = pipelineJsonSchema.definitions?.Step as { dependencies: Record<string, { $ref: string }> };
    expect(Object.keys(step.dependencies)).toEqual([...STEP_KIND_KEYS]);
    for (const kind of STEP_KIND_KEYS) {
      const name = STEP_KIND_DEFINITIONS[kind];
      expect(step.dependencies[kind]).toEqual({ $ref: `#/definitions/${name}` });
      expect((pipelineJsonSchema.definitions?.[name] as { required: string[] }).required).toContain(kind);
    }
  });

  it('closes every fixed-shape object except the top level', () => {
    expect(pipelineJsonSchema.additionalProperties).toBeUndefined();
    for (const [name, definition] of Object.entries(pipelineJsonSchema.definitions ?? {})) {
      if (definition.properties !== undefined) {
        expect(definition.additionalProperties, name).toBe(false);
      }
    }
  });
});

describe('pipeline schema', () => {
  it('accepts a pipeline using every step kind, modifier and hook', () => {
    expect(errorsOf(validatePipeline, fullPipeline)).toEqual([]);
  });

  it('reports a misspelt get field once, against the get step', () => {
    expect(errorsOf(validatePipeline, withStep({ get: 'repo', pased: ['build'] }))).toEqual([
      { keyword: 'additionalProperties', instancePath: '/jobs/0/plan/0', params: { additionalProperty: 'pased' } },
    ]);
  });

  it('rejects a trigger that is not a boolean', () => {
    expect(errorsOf(validatePipeline, withStep({ get: 'repo', trigger: 'yes' }))).toEqual([
      { keyword: 'type', instancePath: '/jobs/0/plan/0/trigger', params: { type: 'boolean' } },
    ]);
  });

  it('rejects an unknown key in a job', () => {
    const pipeline = { jobs: [{ name: 'job', plan: [], serial_group: ['x'] }] };
    expect(errorsOf(validatePipeline, pipeline)).toEqual([
      { keyword: 'additionalProperties', instancePath: '/jobs/0', params: { additionalProperty: 'serial_group' } },
    ]);
  });

  it('rejects an unknown key in an inline task config', () => {
    const config = { platform: 'linux', run: { path: 'true' }, input: [{ name: 'repo' }] };
    expect(errorsOf(validatePipeline, withStep({ task: 'unit', config }))).toEqual([
      { keyword: 'additionalProperties', instancePath: '/jobs/0/plan/0/config', params: { additionalProperty: 'input' } },
    ]);
  });

  it('rejects a get version that is neither a keyword nor a version map', () => {
    const errors = errorsOf(validatePipeline, withStep({ get: 'repo', version: 'sometimes' }));
    expect(new Set(errors.map((error) => error.instancePath))).toEqual(new Set(['/jobs/0/plan/0/version']));
    expect(errors.map((error) => error.keyword)).toEqual(expect.arrayContaining(['enum', 'type', 'anyOf']));
  });

  it('checks steps nested in hooks and in_parallel', () => {
    const step = { do: [{ in_parallel: { steps: [{ put: 'repo', on_failure: { task: 'x', privilegd: true } }] } }] };
    const errors = errorsOf(validatePipeline, withStep(step));
    // The misspelling is found inside the object form of in_parallel; the list
    // form's type mismatch and the anyOf that joins them come along, as for any union.
    expect(errors).toHaveLength(3);
    expect(errors).toEqual(
      expect.arrayContaining([
        {
          keyword: 'additionalProperties',
          instancePath: '/jobs/0/plan/0/do/0/in_parallel/steps/0/on_failure',
          params: { additionalProperty: 'privilegd' },
        },
        { keyword: 'type', instancePath: '/jobs/0/plan/0/do/0/in_parallel', params: { type: 'array' } },
        { keyword: 'anyOf', instancePath: '/jobs/0/plan/0/do/0/in_parallel', params: {} },
      ]),
    );
  });

  it('only accepts fail_fast on a step next to across', () => {
    expect(errorsOf(validatePipeline, withStep({ task: 'unit', file: 'repo/t.yml', fail_fast: true }))).toEqual([
      expect.objectContaining({ keyword: 'dependencies', instancePath: '/jobs/0/plan/0' }),
    ]);
  });

  it('leaves unknown top-level keys and kindless steps to the semantic rules', () => {
    expect(errorsOf(validatePipeline, { anchors: { any: 'thing' }, jobs: [{ name: 'job', plan: [{ attempts: 2 }] }] })).toEqual([]);
  });
});

describe('task schema', () => {
  it('accepts a typical task file', () => {
    expect(errorsOf(validateTask, typicalTask)).toEqual([]);
  });

  it('rejects run without path', () => {
    const task = { platform: 'linux', run: { args: ['-c', 'true'] } };
    expect(errorsOf(validateTask, task)).toEqual([
      { keyword: 'required', instancePath: '/run', params: { missingProperty: 'path' } },
    ]);
  });
});

describe('emitJsonSchema', () => {
  const definitions = {
    Root: { $id: 'Root', description: 'root', type: 'object', properties: { a: { $ref: 'A', description: 'an A' } } },
    A: { $id: 'A', description: 'an A', anyOf: [{ $ref: 'B' }], 'x-kind-keys': { b: 'B' } },
    B: { $id: 'B', description: 'a B', type: 'object', properties: { b: { type: 'string', description: 'b' } } },
    Unreached: { $id: 'Unreached', type: 'number' },
  };

  it('inlines the root, keeps what it reaches and rewrites references', () => {
    const before = JSON.stringify(definitions);
    const document = emitJsonSchema(definitions, 'Root', { title: 'T' });
    expect(document).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'T',
      description: 'root',
      type: 'object',
      properties: { a: { $ref: '#/definitions/A', description: 'an A' } },
      definitions: {
        A: { type: 'object', description: 'an A', dependencies: { b: { $ref: '#/definitions/B' } } },
        B: { description: 'a B', type: 'object', properties: { b: { type: 'string', description: 'b' } } },
      },
    });
    expect(JSON.stringify(definitions)).toBe(before);
    expect(serializeJsonSchema(emitJsonSchema(definitions, 'Root', { title: 'T' }))).toBe(serializeJsonSchema(document));
  });

  it('refuses a kind-keyed union whose keys and members disagree', () => {
    const broken = { ...definitions, A: { anyOf: [{ $ref: 'B' }, { $ref: 'Unreached' }], 'x-kind-keys': { b: 'B' } } };
    expect(() => emitJsonSchema(broken, 'Root', { title: 'T' })).toThrow(/disagree/);
  });
});

describe('static types', () => {
  it('infer the recursive step union', () => {
    const step: StepConfig = {
      task: 'unit',
      file: 'repo/ci/unit.yml',
      on_failure: { try: { put: 'notify', inputs: 'detect' } },
      across: [{ var: 'os', values: ['linux'], max_in_flight: 'all' }],
    };
    const pipeline: PipelineConfig = { jobs: [{ name: 'job', plan: [step, { get: 'repo', version: { ref: 'abc' } }] }] };
    // @ts-expect-error trigger is a boolean
    const wrong: StepConfig = { get: 'repo', trigger: 'yes' };
    expect([pipeline, wrong]).toHaveLength(2);
  });
});

describe('published schemas for editors', () => {
  it('check a resource\'s source against its built-in type\'s schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const [file, document] of Object.entries(published)) if (file.startsWith('resource-types/')) ajv.addSchema(document, file);
    const validate = ajv.compile(published['pipeline.schema.json']!);
    const pipeline = (source: Record<string, unknown>) => ({
      resources: [{ name: 'nightly', type: 'cron', source }],
      jobs: [{ name: 'job', plan: [{ get: 'nightly' }] }],
    });
    expect(validate(pipeline({ expression: '0 2 * * *', location: 'Europe/Berlin' }))).toBe(true);
    expect(validate(pipeline({ expresion: '0 2 * * *' }))).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain('expresion');
  });
});
