import type { ResourceType, Versioned } from '@weir/resources';

/**
 * A resource type whose check the test drives: versions come from `versions`, each check can
 * be held open until released, and every call is counted. Sources: `{key: string}`.
 */
export class ControlledType {
  readonly versions = new Map<string, Versioned[]>();
  calls = 0;
  running = 0;
  maxRunning = 0;
  hold = false;
  fail: string | null = null;
  private waiting: Array<() => void> = [];

  readonly type: ResourceType<{ key: string }> = {
    name: 'controlled',
    description: 'A test type whose checks the test controls.',
    sourceSchema: { type: 'object', required: ['key'], properties: { key: { type: 'string' } }, additionalProperties: false },
    check: async (_ctx, source) => {
      this.calls += 1;
      this.running += 1;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      try {
        if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
        if (this.fail !== null) throw new Error(this.fail);
        return this.versions.get(source.key) ?? [];
      } finally {
        this.running -= 1;
      }
    },
    get: async () => {
      throw new Error('not used');
    },
    put: async () => {
      throw new Error('not used');
    },
  };

  /** Lets every held check finish. */
  release(): void {
    this.hold = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  async waitForRunning(count: number): Promise<void> {
    for (let i = 0; i < 200 && this.running < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A type whose check never returns and ignores its abort signal: only the timeout ends it. */
export const hangingType: ResourceType<Record<string, unknown>> = {
  name: 'hanging',
  description: 'A test type whose check never returns.',
  sourceSchema: { type: 'object' },
  check: () => new Promise(() => {}),
  get: async () => {
    throw new Error('not used');
  },
  put: async () => {
    throw new Error('not used');
  },
};

/** A type that returns what no resource type may return. */
export const nonsenseType: ResourceType<Record<string, unknown>> = {
  name: 'nonsense',
  description: 'A test type with a buggy check.',
  sourceSchema: { type: 'object' },
  check: async () => [{ version: { ref: 42 } }] as unknown as Versioned[],
  get: async () => {
    throw new Error('not used');
  },
  put: async () => {
    throw new Error('not used');
  },
};
