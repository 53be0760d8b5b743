/**
 * git push refused a branch because it moved on: someone pushed before (fetch first,
 * non-fast-forward), or while our push was on its way, so the server could not move the ref from
 * the commit we built on (cannot lock ref … but expected …). Rebase or merge fixes that.
 */
export function branchMovedOn(stderr: string): boolean {
  const refusedByClient = /^\s*! \[rejected\].*\((fetch first|non-fast-forward)\)/m.test(stderr);
  const lostTheRace = /^\s*! \[remote rejected\]/m.test(stderr) && /cannot lock ref '[^']*': is at [0-9a-f]+ but expected [0-9a-f]+/.test(stderr);
  return refusedByClient || lostTheRace;
}

/** git push refused a tag that exists on the remote with another commit. */
export function tagClash(stderr: string): boolean {
  return /^\s*! \[rejected\].*\((already exists|would clobber existing tag)\)/m.test(stderr);
}
