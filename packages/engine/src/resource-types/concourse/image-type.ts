import { lstat, mkdir, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyResourceType, ResourceContext, Version, Versioned } from '@weir/resources';
import { WeirError } from '../../errors.js';
import { placeInputs } from '../../executors/local/working-directory.js';
import {
  buildEnvironment,
  checkRequest,
  inRequest,
  outRequest,
  parseCheckResponse,
  parseFetchResponse,
  scriptPath,
  type ResourceScript,
} from './protocol.js';
import type { ResourceScriptExit, ResourceScriptRunner } from './script-runner.js';
import type { LeasedTypeImage, TypeImage } from './type-image.js';
import { sourceWithDefaults, type TypeDeclaration } from './type-declaration.js';

export interface ImageTypeServices {
  runner: ResourceScriptRunner;
  /** The type's image, fetched (or found in the cache) through the type its declaration names. */
  image(ctx: ResourceContext): Promise<LeasedTypeImage>;
}

/** The last lines of a failing script's stderr that its error quotes: a check's log is seen nowhere else. */
const STDERR_TAIL_LINES = 20;

/**
 * A type declared under `resource_types` (or a Concourse base type), as weir's engine sees every
 * type: check, get and put, each one run of the image's `/opt/resource/*` script. The source
 * and params go to the scripts unread, as in Concourse; what the scripts print is checked.
 */
export function imageResourceType(declaration: TypeDeclaration, services: ImageTypeServices): AnyResourceType {
  const name = declaration.name;
  const run = async (ctx: ResourceContext, script: ResourceScript, request: string, dir: string | undefined, scratch: string): Promise<string> => {
    const image = await services.image(ctx);
    const stderrTail: string[] = [];
    let exit: ResourceScriptExit;
    try {
      await requireScript(image, script, name);
      exit = await services.runner.run({
        image,
        type: name,
        script,
        ...(script !== 'check' && ctx.build !== undefined && { build: ctx.build }),
        ...(dir !== undefined && { dir }),
        scratch,
        request,
        env: script === 'check' ? {} : buildEnvironment(ctx.build),
        privileged: declaration.privileged,
        signal: ctx.signal,
        onStderr: (line) => {
          ctx.log(line);
          stderrTail.push(line);
          if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        },
      });
    } finally {
      image.release();
    }
    if (exit.scriptMissing) throw scriptMissing(image, script, name);
    if (exit.exitStatus !== 0) {
      const said = stderrTail.length > 0 ? `: ${ctx.redact(stderrTail.join('\n'))}` : ' and printed nothing on stderr';
      throw new WeirError('resource-script-failed', `resource type ${name}: ${scriptPath(script)} exited with status ${exit.exitStatus}${said}`, {
        location: name,
        hint: script === 'check' ? 'the script says why on stderr (above); fix the source, or the image, and check again' : 'the script says why on stderr, in the build log',
      });
    }
    return exit.stdout;
  };

  return {
    name,
    description: `Declared under resource_types: runs /opt/resource/check, in and out of its image.`,
    // Concourse hands the source to the scripts unread; they are the ones to refuse it.
    sourceSchema: {},
    async check(ctx: ResourceContext, source: unknown, from?: Version): Promise<Versioned[]> {
      const scratch = join(ctx.cacheDir, 'check-tmp');
      await mkdir(scratch, { recursive: true });
      const stdout = await run(ctx, 'check', checkRequest(await sourceWithDefaults(declaration, source, ctx), from), undefined, scratch);
      return parseCheckResponse(name, stdout);
    },
    async get(ctx: ResourceContext, source: unknown, version: Version, params: unknown, dir: string): Promise<Versioned> {
      return withScratch(async (scratch) => {
        const stdout = await run(ctx, 'in', inRequest(await sourceWithDefaults(declaration, source, ctx), version, params), dir, scratch);
        return parseFetchResponse(name, 'in', stdout);
      });
    },
    async put(ctx: ResourceContext, source: unknown, params: unknown, workdir: string): Promise<Versioned> {
      await copyArtifactsIn(workdir);
      return withScratch(async (scratch) => {
        const stdout = await run(ctx, 'out', outRequest(await sourceWithDefaults(declaration, source, ctx), params), workdir, scratch);
        return parseFetchResponse(name, 'out', stdout);
      });
    },
  };
}

/** A script missing from the image would fail as a bare exec error: say which image lacks what. */
async function requireScript(image: TypeImage, script: ResourceScript, typeName: string): Promise<void> {
  // A registry image is only on the node that pulls it: its runtime says when the script is missing.
  if (image.where !== 'host') return;
  const found = await lstat(join(image.rootfs, 'opt', 'resource', script)).then(
    (stats) => stats.isFile() || stats.isSymbolicLink(),
    () => false,
  );
  if (!found) throw scriptMissing(image, script, typeName);
}

function scriptMissing(image: TypeImage, script: ResourceScript, typeName: string): WeirError {
  return new WeirError('resource-type-script-missing', `resource type ${typeName}: its image (${image.description}) has no ${scriptPath(script)}`, {
    location: typeName,
    hint: 'a resource type image holds executable /opt/resource/check, in and out: check that the type\'s source names a resource type image (such as concourse/git-resource), not an ordinary one',
  });
}

/**
 * The put's working directory links the build's artifacts; the script sees only what is inside
 * its sandbox, and must not change an artifact later steps read, so each becomes a copy
 * (copy-on-write where the filesystem has it), as a task's inputs do.
 */
async function copyArtifactsIn(workdir: string): Promise<void> {
  for (const entry of await readdir(workdir, { withFileTypes: true })) {
    if (!entry.isSymbolicLink()) continue;
    const path = join(workdir, entry.name);
    const source = await readlink(path);
    await rm(path);
    await placeInputs(workdir, [{ name: entry.name, path: entry.name, source }]);
  }
}

/** A fresh /tmp for one get or put, removed after it: two builds fetching at once must not share one. */
async function withScratch<T>(body: (scratch: string) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(join(tmpdir(), 'weir-resource-'));
  try {
    return await body(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
