import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ResourceError } from '../interface.js';

/** The `sha256:<hex>` digest of some bytes, as registries name content. */
export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function hashFor(digest: string): Hash {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new ResourceError('registry-image-unsupported-digest', `the digest ${digest} uses an algorithm weir does not verify`, 'only sha256 and sha512 digests are supported');
  }
  return createHash(algorithm);
}

/** Throws unless `bytes` have the given digest: content from a registry is trusted only once verified. */
export function verifyBytes(bytes: Uint8Array, expected: string, what: string): void {
  const actual = `${expected.slice(0, expected.indexOf(':'))}:${hashFor(expected).update(bytes).digest('hex')}`;
  if (actual !== expected) throw digestMismatch(what, expected, actual);
}

export function digestMismatch(what: string, expected: string, actual: string): ResourceError {
  return new ResourceError(
    'registry-image-digest-mismatch',
    `${what} has digest ${actual}, not the expected ${expected}`,
    'the content was corrupted in transit or by the registry; retry, and if it persists, push the image again',
  );
}

/** A pass-through stream that hashes and counts what flows through it; `check()` verifies both at the end. */
export class VerifyingStream extends Transform {
  private readonly hash: Hash;
  private bytes = 0;

  constructor(
    private readonly expected: string,
    private readonly expectedSize: number | undefined,
    private readonly what: string,
  ) {
    super();
    this.hash = hashFor(expected);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = `${this.expected.slice(0, this.expected.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      callback(
        new ResourceError(
          'registry-image-size-mismatch',
          `${this.what} is ${this.bytes} bytes, not the ${this.expectedSize} its descriptor says`,
          'the content was truncated or the manifest is wrong; retry, and if it persists, push the image again',
        ),
      );
      return;
    }
    callback(actual === this.expected ? null : digestMismatch(this.what, this.expected, actual));
  }
}
