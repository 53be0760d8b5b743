// Builds the installed `weir` command: the CLI and the parts of weir it uses, bundled from the
// TypeScript sources into a few ES modules under bundle/. Each command's heavy imports (the
// pipeline loader, the engine) are dynamic imports in the sources, so they become chunks that
// only the commands needing them load. The JSON schema validators are compiled here, once,
// instead of by ajv at every `weir validate`. Runs at `pnpm install` (the root postinstall)
// and `pnpm build`, under tsx with the weir-source condition.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compiledValidatorsCode, documentSchemas } from '@weir/engine/validator-code';
import { BUILTIN_RESOURCE_TYPES } from '@weir/resources/catalog';
import { build, type Plugin } from 'esbuild';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const engineConfigDir = fileURLToPath(new URL('../../engine/src/config/', import.meta.url));

// Left to node_modules (so they are dependencies of this package too): a native addon, pino, whose
// transports load files in worker threads, and pino-pretty with it (only `weir up` on a terminal
// loads it), the Kubernetes client, large and loaded only when a
// kubernetes source is first used; and the web UI, whose files are found beside its module.
const external = ['better-sqlite3', 'pino', 'pino-pretty', '@kubernetes/client-node', '@weir/web'];

const VALIDATORS = 'weir-compiled-validators:';

/** Puts the validators compiled now in place of the engine's empty ahead-of-time-validators.ts. */
function compiledValidators(): Plugin {
  const typeSchemas = BUILTIN_RESOURCE_TYPES.flatMap((type) => [type.schemas.source, type.schemas.getParams, type.schemas.putParams]);
  const code = compiledValidatorsCode(
    [...documentSchemas, ...typeSchemas.flatMap((schema) => (schema === undefined ? [] : [{ kind: 'quick' as const, schema }]))],
    VALIDATORS,
  );
  return {
    name: 'weir-compiled-validators',
    setup(esbuild) {
      esbuild.onLoad({ filter: /[\\/]engine[\\/]src[\\/]config[\\/]ahead-of-time-validators\.ts$/ }, () => ({ contents: code.index, loader: 'js', resolveDir: engineConfigDir }));
      esbuild.onResolve({ filter: new RegExp(`^${VALIDATORS}`) }, (args) => ({ path: args.path.slice(VALIDATORS.length), namespace: 'weir-compiled-validators' }));
      // The standalone code requires ajv's runtime helpers, resolved from the engine's dependencies.
      esbuild.onLoad({ filter: /.*/, namespace: 'weir-compiled-validators' }, (args) => ({
        contents: code.modules.get(args.path as 'document' | 'quick') ?? '',
        loader: 'js',
        resolveDir: engineConfigDir,
      }));
    },
  };
}

const COMPILE_WORKER = 'pipeline-compile-worker';

/**
 * The engine compiles set-pipelines on a worker thread whose entry is a file of its own: bundled
 * here beside main.js, and named by a replacement of the module that finds it beside the engine's
 * sources or dist/. The replacement's code lands in main.js or in a chunk under chunks/.
 */
function compileWorkerEntry(): Plugin {
  const contents = `export function compileWorkerEntry() {
  const here = new URL('.', import.meta.url);
  const root = here.pathname.endsWith('/chunks/') ? new URL('..', here) : here;
  return { filename: new URL('${COMPILE_WORKER}.js', root), eval: false };
}
`;
  return {
    name: 'weir-compile-worker-entry',
    setup(esbuild) {
      esbuild.onLoad({ filter: /[\\/]engine[\\/]src[\\/]pipelines[\\/]compile-worker-entry\.ts$/ }, () => ({ contents, loader: 'js' }));
    },
  };
}

await rm(`${packageDir}bundle`, { recursive: true, force: true });
await build({
  absWorkingDir: packageDir,
  entryPoints: ['src/main.ts', { in: '../engine/src/pipelines/pipeline-compile-worker.ts', out: COMPILE_WORKER }],
  outdir: 'bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['weir-source'],
  external,
  plugins: [compiledValidators(), compileWorkerEntry()],
  // CommonJS libraries inside an ES module bundle still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __weirCreateRequire } from 'node:module'; const require = __weirCreateRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});
