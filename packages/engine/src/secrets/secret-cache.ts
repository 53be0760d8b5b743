import type { CredentialLookup } from './credential-manager.js';

/**
 * Found secrets, kept in memory only for `ttlMs`, so a build of fifty steps does not ask Vault
 * fifty times. What was not found is not kept: a secret set after a failed build is seen at once.
 */
export class SecretCache {
  private readonly entries = new Map<string, { lookup: CredentialLookup; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async get(key: string, fetch: () => Promise<CredentialLookup>): Promise<CredentialLookup> {
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.lookup;
    if (cached) this.entries.delete(key);
    const lookup = await fetch();
    if (lookup.found && this.ttlMs > 0) {
      this.entries.set(key, { lookup, expiresAt: now + this.ttlMs });
      this.sweep(now);
    }
    return lookup;
  }

  private sweep(now: number): void {
    if (this.entries.size < 1000) return;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
