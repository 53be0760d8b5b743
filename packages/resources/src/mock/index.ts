import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ResourceError, type MetadataField, type ResourceType, type Versioned } from '../interface.js';
import { mockGetParamsSchema, mockPutParamsSchema, mockSourceSchema } from './source-schema.js';

export interface MockSource {
  initial_version?: string;
  no_initial_version?: boolean;
  force_version?: string;
  create_files?: Record<string, unknown>;
  check_failure?: string;
  metadata?: MetadataField[];
}

export type MockVersion = { version: string };

export interface MockGetParams {
  create_files_via_params?: Record<string, unknown>;
}

export interface MockPutParams {
  version?: string;
  file?: string;
}

const DEFAULT_INITIAL_VERSION = 'mock';

export const mockResourceType: ResourceType<MockSource, MockVersion, MockGetParams, MockPutParams> = {
  name: 'mock',
  description: 'Versions you control (from source or from puts), for testing pipelines.',
  sourceSchema: mockSourceSchema,
  getParamsSchema: mockGetParamsSchema,
  putParamsSchema: mockPutParamsSchema,

  async check(_ctx, source, from) {
    if (source.check_failure !== undefined) {
      throw new ResourceError('mock-check-failure', `intentionally failing to check: ${source.check_failure}`);
    }
    if (source.force_version !== undefined) return [{ version: { version: source.force_version } }];
    if (from) return [{ version: from }];
    if (source.no_initial_version) return [];
    return [{ version: { version: source.initial_version ?? DEFAULT_INITIAL_VERSION } }];
  },

  async get(ctx, source, version, params, dir) {
    await writeFile(resolve(dir, 'version'), version.version);
    const files = { ...source.create_files, ...params.create_files_via_params };
    for (const [path, contents] of Object.entries(files)) {
      const target = insideDirectory(dir, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, typeof contents === 'string' ? contents : JSON.stringify(contents));
    }
    ctx.log(`fetched version ${version.version}`);
    return withMetadata(version, source);
  },

  async put(ctx, source, params, workdir) {
    let version = params.version;
    if (version === undefined && params.file !== undefined) {
      const file = params.file;
      version = (
        await readFile(insideDirectory(workdir, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new ResourceError('mock-version-file-unreadable', `cannot read the version file ${file}: ${error.code ?? error.message}`, 'check that an earlier step wrote it into an output with that name');
        })
      ).trim();
    }
    if (version === undefined || version === '') {
      throw new ResourceError(
        'mock-put-without-version',
        'a put to a mock resource needs the version to create',
        'set `params: {version: "1.2.3"}`, or `params: {file: artifact/path}` to read it from a file',
      );
    }
    ctx.log(`pushing version: ${version}`);
    return withMetadata({ version }, source);
  },
};

function withMetadata(version: MockVersion, source: MockSource): Versioned<MockVersion> {
  return source.metadata ? { version, metadata: source.metadata } : { version };
}

/** Keeps user-supplied paths from writing or reading outside the step's directory. */
function insideDirectory(dir: string, path: string): string {
  const target = resolve(dir, path);
  const rel = relative(dir, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ResourceError('mock-path-outside', `the path ${JSON.stringify(path)} leaves the step's directory`, 'use a relative path without ..');
  }
  return target;
}
