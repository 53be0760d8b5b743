/**
 * The build's artifacts by name: a get's fetched version, a task's outputs. An `across`
 * iteration gets a child scope: it sees what came before, and what it makes stays its own,
 * so parallel iterations do not overwrite each other's artifacts.
 */
export class ArtifactScope {
  private readonly own = new Map<string, string>();

  constructor(private readonly parent?: ArtifactScope) {}

  get(name: string): string | undefined {
    return this.own.get(name) ?? this.parent?.get(name);
  }

  set(name: string, dir: string): void {
    this.own.set(name, dir);
  }

  /** Every visible artifact, the nearest scope's winning. */
  all(): Map<string, string> {
    const merged = this.parent ? this.parent.all() : new Map<string, string>();
    for (const [name, dir] of this.own) merged.set(name, dir);
    return merged;
  }

  child(): ArtifactScope {
    return new ArtifactScope(this);
  }
}
