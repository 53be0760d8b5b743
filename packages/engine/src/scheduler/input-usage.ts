import type { ChosenInput, JobId, VersionHistory, VersionId } from './snapshot.js';

/**
 * Which versions each job has used as each input: the recorded history plus the builds started
 * earlier in the same scheduling pass. Keeping the pass's own starts here is what lets one pass
 * start several builds of a job consistently (`every` moves on, first occurrence flips) without
 * copying any history.
 */
export class InputUsage {
  /** Per job, per input name: versions used by builds started in this pass, and the newest of them. */
  private readonly startedThisPass = new Map<JobId, Map<string, { versions: Set<VersionId>; newest: VersionId }>>();

  constructor(private readonly history: VersionHistory) {}

  isUsed(jobId: JobId, inputName: string, versionId: VersionId): boolean {
    return this.startedThisPass.get(jobId)?.get(inputName)?.versions.has(versionId) === true || this.history.usedAsInput(jobId, inputName, versionId);
  }

  /** The newest version (by check order) any build of the job used as this input, this pass included. */
  latestUsed(jobId: JobId, inputName: string): VersionId | undefined {
    const recorded = this.history.latestUsedAsInput(jobId, inputName);
    const thisPass = this.startedThisPass.get(jobId)?.get(inputName)?.newest;
    if (recorded === undefined) return thisPass;
    if (thisPass === undefined) return recorded;
    return this.isNewer(thisPass, recorded) ? thisPass : recorded;
  }

  /** A build of the job started in this pass with these inputs. */
  recordStart(jobId: JobId, inputs: readonly ChosenInput[]): void {
    let byInput = this.startedThisPass.get(jobId);
    if (byInput === undefined) {
      byInput = new Map();
      this.startedThisPass.set(jobId, byInput);
    }
    for (const input of inputs) {
      const used = byInput.get(input.name);
      if (used === undefined) byInput.set(input.name, { versions: new Set([input.versionId]), newest: input.versionId });
      else {
        used.versions.add(input.versionId);
        if (this.isNewer(input.versionId, used.newest)) used.newest = input.versionId;
      }
    }
  }

  private isNewer(a: VersionId, b: VersionId): boolean {
    return this.history.checkOrder(a) > this.history.checkOrder(b);
  }
}
