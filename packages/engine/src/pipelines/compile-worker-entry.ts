/** How to start the pipeline compiler's worker thread: `new Worker(filename, { eval, execArgv })`. */
export interface WorkerEntry {
  filename: URL | string;
  eval: boolean;
  /** Absent: the process's own, less those a thread cannot take (`--expose-gc`...), as Node does. */
  execArgv?: string[];
}

/**
 * The worker's entry module is a sibling of this one: `.js` in the engine's dist/, `.ts` when the
 * engine runs from its sources (tsx, vitest). A `.ts` entry is imported once tsx's hooks are
 * registered in the new thread (Node 20 does not carry a process's module hooks into its
 * workers), with the `weir-source` condition the sources resolve each other's packages by. The
 * CLI's bundle replaces this module with one naming its bundled entry (packages/cli/scripts/bundle.ts).
 */
export function compileWorkerEntry(): WorkerEntry {
  if (!import.meta.url.endsWith('.ts')) return { filename: new URL('./pipeline-compile-worker.js', import.meta.url), eval: false };
  const entry = new URL('./pipeline-compile-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return {
    filename: `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    eval: true,
    execArgv: ['--conditions=weir-source'],
  };
}
