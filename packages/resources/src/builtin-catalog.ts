// `@weir/resources/type-names`: what the validator needs, without loading any type's code (git,
// Octokit, the Kubernetes client...), which would slow every `weir validate` start.

/**
 * The resource types weir ships, by the name pipelines use in `type:`. Each gets its own folder
 * here with its source schema and check/get/put as it is implemented; until then the validator
 * accepts the name so pipelines written for weir validate today.
 */
export const BUILTIN_RESOURCE_TYPES: ReadonlyArray<{ name: string; aliases: readonly string[] }> = [
  { name: 'git', aliases: [] },
  { name: 'registry-image', aliases: [] },
  { name: 'github-pr', aliases: ['pull-request'] },
  { name: 'time', aliases: [] },
  { name: 'cron', aliases: [] },
  { name: 'volume-snapshot', aliases: [] },
  { name: 'mock', aliases: [] },
];

/** Every name (and alias) a pipeline may use for a built-in type. */
export function builtinResourceTypeNames(): Set<string> {
  return new Set(BUILTIN_RESOURCE_TYPES.flatMap((t) => [t.name, ...t.aliases]));
}
