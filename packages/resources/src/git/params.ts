import { ResourceError } from '../interface.js';

/**
 * Reads a get's or put's params with the leniency of Concourse's shell scripts (which compare
 * text): `"true"` is true and `"10"` is 10, so values from `((vars))` work. The engine already
 * turns such text into what the params schema asks for (and refuses unknown params); reading
 * the same way here keeps the type right when it is called without the engine, as in its tests.
 */
export class ParamReader {
  constructor(
    private readonly params: Record<string, unknown>,
    private readonly step: 'get' | 'put',
  ) {}

  boolean(name: string): boolean | undefined {
    const value = this.params[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw this.invalid(name, 'true or false');
  }

  string(name: string): string | undefined {
    const value = this.params[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw this.invalid(name, 'a string');
  }

  wholeNumber(name: string): number | undefined {
    const value = this.params[name];
    if (value === undefined || value === null) return undefined;
    const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number === 'number' && Number.isInteger(number) && number >= 0) return number;
    throw this.invalid(name, 'a whole number, 0 or more');
  }

  raw(name: string): unknown {
    return this.params[name];
  }

  invalid(name: string, expected: string): ResourceError {
    return new ResourceError(
      `git-${this.step}-param-invalid`,
      `params.${name} of a git ${this.step} must be ${expected}, not ${JSON.stringify(this.params[name])}`,
      `fix params.${name} on the ${this.step} step`,
    );
  }
}
