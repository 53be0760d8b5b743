import { describe, expect, it } from 'vitest';
import {
  buildEnvironment,
  checkRequest,
  inRequest,
  outRequest,
  parseCheckResponse,
  parseFetchResponse,
} from '../../src/resource-types/concourse/protocol.js';

describe('Concourse resource protocol: requests', () => {
  it('leaves version out of the first check, and sends the last known one after', () => {
    expect(JSON.parse(checkRequest({ uri: 'x' }, undefined))).toEqual({ source: { uri: 'x' } });
    expect(JSON.parse(checkRequest({ uri: 'x' }, { ref: 'a' }))).toEqual({ source: { uri: 'x' }, version: { ref: 'a' } });
  });

  it('sends in and out their source, version and params, with empty params when none are given', () => {
    expect(JSON.parse(inRequest({ uri: 'x' }, { ref: 'a' }, undefined))).toEqual({ source: { uri: 'x' }, version: { ref: 'a' }, params: {} });
    expect(JSON.parse(outRequest({ uri: 'x' }, { file: 'out/v' }))).toEqual({ source: { uri: 'x' }, params: { file: 'out/v' } });
  });

  it('gives in and out the build metadata Concourse documents, and check none', () => {
    expect(buildEnvironment(undefined)).toEqual({});
    const build = { buildId: 7, buildName: '3', jobName: 'unit', pipelineName: 'app', teamName: 'main', url: 'http://weir/builds/7', externalUrl: 'http://weir', pipelineInstanceVars: { pr: 12 } };
    expect(buildEnvironment(build)).toEqual({
      BUILD_ID: '7',
      BUILD_NAME: '3',
      BUILD_JOB_NAME: 'unit',
      BUILD_PIPELINE_NAME: 'app',
      BUILD_TEAM_NAME: 'main',
      ATC_EXTERNAL_URL: 'http://weir',
      BUILD_PIPELINE_INSTANCE_VARS: '{"pr":12}',
    });
  });
});

describe('Concourse resource protocol: responses', () => {
  it('reads a check\'s versions, oldest first, and an empty list', () => {
    expect(parseCheckResponse('files', '[{"ref":"a"},{"ref":"b"}]\n')).toEqual([{ version: { ref: 'a' } }, { version: { ref: 'b' } }]);
    expect(parseCheckResponse('files', '[]')).toEqual([]);
  });

  it('reads in and out responses with and without metadata', () => {
    expect(parseFetchResponse('files', 'in', '{"version":{"ref":"a"},"metadata":[{"name":"author","value":"me"}]}')).toEqual({
      version: { ref: 'a' },
      metadata: [{ name: 'author', value: 'me' }],
    });
    expect(parseFetchResponse('files', 'out', '{"version":{"ref":"b"},"metadata":null}')).toEqual({ version: { ref: 'b' } });
  });

  it.each([
    ['not JSON', 'check', 'fetching...\n[{"ref":"a"}]', /\/opt\/resource\/check printed something that is not JSON on stdout .*fetching\.\.\./],
    ['nothing', 'check', '  \n', /\/opt\/resource\/check printed nothing on stdout/],
    ['an object for check', 'check', '{"ref":"a"}', /printed an object instead of a list of versions/],
    ['a number in a version', 'check', '[{"ref":1}]', /printed number 1 as field "ref" of version \[0\], not a string/],
    ['no version from in', 'in', '{"metadata":[]}', /\/opt\/resource\/in printed nothing as "version"/],
    ['bad metadata from out', 'out', '{"version":{"ref":"a"},"metadata":[{"name":"n","value":2}]}', /printed an object as "metadata" \[0\]/],
  ] as const)('names the type and the script when a response is %s', (_what, script, stdout, message) => {
    const parse = () => (script === 'check' ? parseCheckResponse('files', stdout) : parseFetchResponse('files', script, stdout));
    expect(parse).toThrow(expect.objectContaining({ code: 'resource-type-bad-response', message: expect.stringMatching(message), location: 'files' }));
    expect(parse).toThrow(/^resource type files: /);
  });
});
