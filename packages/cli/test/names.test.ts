import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli-error.js';
import { formatPipelineName, parseJobName, parsePipelineName, parseResourceName } from '../src/names.js';
import { formatVersionFields, parseVersionFields, versionMatches } from '../src/version-fields.js';

describe('pipeline, job and resource names as fly writes them', () => {
  it('reads a plain pipeline and an instance with YAML scalar instance vars', () => {
    expect(parsePipelineName('my-app')).toEqual({ name: 'my-app', instanceVars: {} });
    expect(parsePipelineName('my-app/pr:12,branch:main,draft:true')).toEqual({ name: 'my-app', instanceVars: { pr: 12, branch: 'main', draft: true } });
    expect(parsePipelineName('my-app/tag:"1.0",note:"a,b"')).toEqual({ name: 'my-app', instanceVars: { tag: '1.0', note: 'a,b' } });
  });

  it('reads jobs and resources of plain pipelines and of instances, even with "/" in a value', () => {
    expect(parseJobName('my-app/build')).toEqual({ pipeline: { name: 'my-app', instanceVars: {} }, job: 'build' });
    expect(parseJobName('my-app/pr:12/build')).toEqual({ pipeline: { name: 'my-app', instanceVars: { pr: 12 } }, job: 'build' });
    expect(parseResourceName('my-app/branch:feature/x/repo')).toEqual({ pipeline: { name: 'my-app', instanceVars: { branch: 'feature/x' } }, resource: 'repo' });
  });

  it('writes a name back so that it reads as the same pipeline', () => {
    for (const text of ['my-app', 'my-app/pr:12', 'my-app/tag:"12",note:"a,b",on:true']) {
      const parsed = parsePipelineName(text);
      expect(parsePipelineName(formatPipelineName(parsed))).toEqual(parsed);
    }
    expect(formatPipelineName({ name: 'my-app', instanceVars: { pr: 12, branch: 'main' } })).toBe('my-app/pr:12,branch:main');
  });

  it('says what is wrong with a name and how to write it', () => {
    const failure = (run: () => unknown): CliError => {
      try {
        run();
      } catch (error) {
        return error as CliError;
      }
      throw new Error('expected a failure');
    };
    expect(failure(() => parseJobName('build')).message).toBe('-j "build" does not name a job of a pipeline');
    expect(failure(() => parseJobName('build')).hint).toContain('-j my-app/build');
    expect(failure(() => parseResourceName('my-app/')).message).toContain('does not name a resource');
    expect(failure(() => parsePipelineName('my-app/pr')).message).toContain('the instance var "pr" is not key:value');
    expect(failure(() => parsePipelineName('my-app/pr:{a: 1}')).message).toContain('is a mapping, not a scalar');
    expect(failure(() => parsePipelineName('my-app/pr:[1')).message).toContain('the value of instance var pr is not a YAML scalar');
  });
});

describe('version fields', () => {
  it('takes repeated or comma-separated key:value pairs, and keeps a comma inside a value', () => {
    expect(parseVersionFields(['ref:abc', 'branch:main'], '-v')).toEqual({ ref: 'abc', branch: 'main' });
    expect(parseVersionFields(['ref:abc,branch:main'], '-v')).toEqual({ ref: 'abc', branch: 'main' });
    expect(parseVersionFields(['tags:a,b'], '-v')).toEqual({ tags: 'a,b' });
    expect(() => parseVersionFields(['abc'], '--from')).toThrow('--from "abc" is not key:value');
  });

  it('matches versions that have every given field', () => {
    expect(versionMatches({ ref: 'abc', branch: 'main' }, { ref: 'abc' })).toBe(true);
    expect(versionMatches({ ref: 'abc' }, { ref: 'abc', branch: 'main' })).toBe(false);
    expect(formatVersionFields({ ref: 'abc', branch: 'main' })).toBe('ref:abc,branch:main');
  });
});
