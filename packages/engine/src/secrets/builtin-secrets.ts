import { WeirError } from '../errors.js';
import type { SecretListing, SecretSlot, SecretStore } from '../store/secret-store.js';
import { open, seal } from './secret-cipher.js';
import type { SecretKeyFile } from './secret-key-file.js';

/** A value found in a credential manager, and where. */
export interface SecretFound {
  value: unknown;
  path: string;
}

/**
 * weir's own credential manager: values sealed with the engine's key, scoped to a team or to
 * one of its pipelines. A lookup tries the pipeline's secret first, then the team's, as
 * Concourse's credential managers try `/concourse/TEAM/PIPELINE/NAME` then `/concourse/TEAM/NAME`.
 */
export class BuiltinSecrets {
  constructor(
    private readonly store: SecretStore,
    private readonly keys: SecretKeyFile,
  ) {
    this.settleRotation();
  }

  set(slot: SecretSlot, value: unknown): void {
    checkName(slot.name);
    this.store.put(slot, seal(this.keys.sealing, JSON.stringify(value), slotText(slot)));
  }

  get(slot: SecretSlot): unknown {
    const sealed = this.store.get(slot);
    if (!sealed) return undefined;
    const key = this.keys.byId(sealed.keyId);
    if (!key) {
      throw new WeirError('secret-key-missing', `secret ${describeSlot(slot)} was sealed with a key this engine does not have (id ${sealed.keyId})`, {
        location: describeSlot(slot),
        hint: 'the secrets.key file in the data directory was replaced; restore the one that sealed it, or set the secret again',
      });
    }
    try {
      return JSON.parse(open(key, sealed, slotText(slot))) as unknown;
    } catch (error) {
      throw new WeirError('secret-unreadable', `secret ${describeSlot(slot)} does not decrypt: the database row was changed or damaged`, {
        location: describeSlot(slot),
        hint: 'set the secret again',
        cause: error,
      });
    }
  }

  /** The pipeline's secret, else the team's; `tried` names both paths for an error. */
  lookup(team: string, pipeline: string, name: string): { found?: SecretFound; tried: string[] } {
    const slots: SecretSlot[] = [
      { team, pipeline, name },
      { team, pipeline: '', name },
    ];
    for (const slot of slots) {
      const value = this.get(slot);
      if (value !== undefined) return { found: { value, path: describeSlot(slot) }, tried: slots.map(describeSlot) };
    }
    return { tried: slots.map(describeSlot) };
  }

  has(team: string, pipeline: string, name: string): boolean {
    return this.store.has({ team, pipeline, name }) || this.store.has({ team, pipeline: '', name });
  }

  list(team: string, pipeline?: string): SecretListing[] {
    return this.store.list(team, pipeline);
  }

  remove(slot: SecretSlot): boolean {
    return this.store.remove(slot);
  }

  /** Seals every secret with a new key; the old key file is replaced once all are re-sealed. */
  rotateKey(): number {
    const next = this.keys.beginRotation();
    const count = this.store.reseal((slot, sealed) => {
      const slotName = slotText(slot);
      const key = this.keys.byId(sealed.keyId);
      if (!key) throw new WeirError('secret-key-missing', `secret ${describeSlot(slot)} was sealed with a key this engine does not have`, { hint: 'restore the secrets.key that sealed it, or remove the secret' });
      return seal(next, open(key, sealed, slotName), slotName);
    });
    this.keys.finishRotation();
    return count;
  }

  private settleRotation(): void {
    const pending = this.keys.pending;
    if (!pending) return;
    if (this.store.keyIds().includes(pending.id)) this.keys.finishRotation();
    else this.keys.dropRotation();
  }
}

/** Bound into each sealed value, so a row moved to another slot does not decrypt. */
function slotText(slot: SecretSlot): string {
  return JSON.stringify([slot.team, slot.pipeline, slot.name]);
}

export function describeSlot(slot: SecretSlot): string {
  return slot.pipeline === '' ? `${slot.team}/${slot.name}` : `${slot.team}/${slot.pipeline}/${slot.name}`;
}

function checkName(name: string): void {
  if (!/^[\w][-\w]*$/.test(name)) {
    throw new WeirError('secret-name-invalid', `"${name}" cannot name a secret`, {
      hint: 'use letters, digits, _ and -; refer to a field of a secret holding a mapping as ((name.field))',
    });
  }
}
