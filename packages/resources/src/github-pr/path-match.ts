/**
 * Which changed files count, for `paths` and `ignore_paths`. A pattern matches a file when the
 * glob matches the whole path (`*` and `?` stay within a directory, `**` crosses them) or when
 * the pattern names a directory the file is under, as telia's resource and git's pathspecs do.
 */
export function matchesPattern(file: string, pattern: string): boolean {
  const trimmed = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  if (file === trimmed || file.startsWith(`${trimmed}/`)) return true;
  return globToRegExp(trimmed).test(file) || globToRegExp(`${trimmed}/**`).test(file);
}

/**
 * Whether a PR changing `files` passes the filters: some file matches `paths` (when set) and
 * some file is not ignored (when `ignorePaths` is set). An empty change list passes only
 * without filters: GitHub lists no files for an empty PR.
 */
export function filesPass(files: readonly string[], paths: readonly string[], ignorePaths: readonly string[]): boolean {
  const considered = ignorePaths.length === 0 ? files : files.filter((file) => !ignorePaths.some((pattern) => matchesPattern(file, pattern)));
  if (ignorePaths.length > 0 && considered.length === 0) return false;
  if (paths.length === 0) return true;
  return considered.some((file) => paths.some((pattern) => matchesPattern(file, pattern)));
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` anything below.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
