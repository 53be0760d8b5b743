import type { JsonSchema } from '../interface.js';

const fileContents: JsonSchema = {
  type: 'object',
  description: 'Files to create, by path relative to the fetched directory. A string is written as is; any other value as JSON.',
  additionalProperties: true,
};

const metadata: JsonSchema = {
  type: 'array',
  description: 'Metadata returned with every get and put.',
  items: {
    type: 'object',
    required: ['name', 'value'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', description: 'The metadata field name.' },
      value: { type: 'string', description: 'The metadata field value.' },
    },
  },
};

export const mockSourceSchema: JsonSchema = {
  type: 'object',
  description: 'A resource whose versions you control, for testing pipelines (Concourse mock-resource fields).',
  additionalProperties: false,
  properties: {
    initial_version: { type: 'string', description: 'The version the first check emits. Default: "mock".' },
    no_initial_version: { type: 'boolean', description: 'Emit no version until one is put; for testing triggers.' },
    force_version: { type: 'string', description: 'Every check emits this version, whatever came before.' },
    create_files: fileContents,
    check_failure: { type: 'string', description: 'Make every check fail with this message; for testing check errors.' },
    metadata,
  },
};

export const mockGetParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    create_files_via_params: { ...fileContents, description: 'More files to create, merged over `create_files`.' },
  },
};

export const mockPutParamsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { type: 'string', description: 'The version to create.' },
    file: { type: 'string', description: 'A file (relative to the build\'s artifacts) whose trimmed contents are the version to create.' },
  },
};
