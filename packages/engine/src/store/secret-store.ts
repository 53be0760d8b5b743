import { WeirError } from '../errors.js';
import type { StoreContext } from './store-context.js';

/** A secret as the database holds it: encrypted, with the id of the key that sealed it. */
export interface SealedSecret {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Where a secret lives: a team, and '' for the whole team or the name of one of its pipelines. */
export interface SecretSlot {
  team: string;
  pipeline: string;
  name: string;
}

export interface SecretListing extends SecretSlot {
  updatedAt: number;
}

interface SecretRow {
  team: string;
  pipeline: string;
  name: string;
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
  updated_at: number;
}

/** The rows of weir's own secret store. It never sees a value in clear: sealing is the caller's. */
export class SecretStore {
  constructor(private readonly ctx: StoreContext) {}

  put(slot: SecretSlot, sealed: SealedSecret): void {
    const teamId = this.teamId(slot.team);
    this.ctx
      .sql(`INSERT INTO secrets (team_id, pipeline, name, key_id, nonce, ciphertext, tag, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (team_id, pipeline, name) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext,
          tag = excluded.tag, updated_at = excluded.updated_at`)
      .run(teamId, slot.pipeline, slot.name, sealed.keyId, sealed.nonce, sealed.ciphertext, sealed.tag, this.ctx.now());
  }

  get(slot: SecretSlot): SealedSecret | undefined {
    const row = this.ctx
      .sql<[string, string, string], SecretRow>(`SELECT s.key_id, s.nonce, s.ciphertext, s.tag FROM secrets s JOIN teams t ON t.id = s.team_id
        WHERE t.name = ? AND s.pipeline = ? AND s.name = ?`)
      .get(slot.team, slot.pipeline, slot.name);
    return row && sealedOf(row);
  }

  has(slot: SecretSlot): boolean {
    return (
      this.ctx
        .sql<[string, string, string], number>('SELECT 1 FROM secrets s JOIN teams t ON t.id = s.team_id WHERE t.name = ? AND s.pipeline = ? AND s.name = ?')
        .pluck()
        .get(slot.team, slot.pipeline, slot.name) !== undefined
    );
  }

  /** Names only, never values: all the team's secrets, or with `pipeline` those that pipeline sees. */
  list(team: string, pipeline?: string): SecretListing[] {
    return this.ctx
      .sql<[string, number, string], SecretRow>(`SELECT t.name AS team, s.pipeline, s.name, s.updated_at FROM secrets s JOIN teams t ON t.id = s.team_id
        WHERE t.name = ? AND (s.pipeline = '' OR ? = 0 OR s.pipeline = ?) ORDER BY s.pipeline, s.name`)
      .all(team, pipeline === undefined ? 0 : 1, pipeline ?? '')
      .map((row) => ({ team: row.team, pipeline: row.pipeline, name: row.name, updatedAt: row.updated_at }));
  }

  remove(slot: SecretSlot): boolean {
    const result = this.ctx
      .sql('DELETE FROM secrets WHERE team_id = (SELECT id FROM teams WHERE name = ?) AND pipeline = ? AND name = ?')
      .run(slot.team, slot.pipeline, slot.name);
    return result.changes > 0;
  }

  /** Which key ids seal at least one secret. */
  keyIds(): string[] {
    return this.ctx.sql<[], string>('SELECT DISTINCT key_id FROM secrets').pluck().all();
  }

  /** Re-seals every secret in one transaction: either all move to the new key, or none. */
  reseal(reseal: (slot: SecretSlot, sealed: SealedSecret) => SealedSecret): number {
    return this.ctx.transaction(() => {
      const rows = this.ctx
        .sql<[], SecretRow & { id: number }>('SELECT s.id, t.name AS team, s.pipeline, s.name, s.key_id, s.nonce, s.ciphertext, s.tag FROM secrets s JOIN teams t ON t.id = s.team_id')
        .all();
      for (const row of rows) {
        const next = reseal({ team: row.team, pipeline: row.pipeline, name: row.name }, sealedOf(row));
        this.ctx.sql('UPDATE secrets SET key_id = ?, nonce = ?, ciphertext = ?, tag = ? WHERE id = ?').run(next.keyId, next.nonce, next.ciphertext, next.tag, row.id);
      }
      return rows.length;
    });
  }

  private teamId(team: string): number {
    const id = this.ctx.sql<[string], number>('SELECT id FROM teams WHERE name = ?').pluck().get(team);
    if (id === undefined) throw new WeirError('team-not-found', `no team named ${team}`, { location: team, hint: 'weir has one team for now: main' });
    return id;
  }
}

function sealedOf(row: Pick<SecretRow, 'key_id' | 'nonce' | 'ciphertext' | 'tag'>): SealedSecret {
  return { keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext, tag: row.tag };
}
