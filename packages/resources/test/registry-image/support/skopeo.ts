import { runAsync } from './tools.js';

export interface SkopeoAuth {
  /** A directory with the registry's CA as `*.crt`; without it, TLS is not verified (plain-HTTP registries). */
  certDir?: string;
  creds?: string;
}

function flags(prefix: '' | 'src-' | 'dest-', auth: SkopeoAuth): string[] {
  return [...(auth.certDir ? [`--${prefix}cert-dir`, auth.certDir] : [`--${prefix}tls-verify=false`]), ...(auth.creds ? [`--${prefix}creds`, auth.creds] : [])];
}

/** `skopeo inspect` of a reference: the registry's view of an image, independent of weir. */
export async function skopeoInspect(reference: string, auth: SkopeoAuth = {}): Promise<{ Digest: string; Layers: string[] }> {
  return JSON.parse(await runAsync('skopeo', ['inspect', ...flags('', auth), `docker://${reference}`]));
}

export async function skopeoInspectRaw(reference: string, auth: SkopeoAuth = {}): Promise<Record<string, unknown>> {
  return JSON.parse(await runAsync('skopeo', ['inspect', '--raw', ...flags('', auth), `docker://${reference}`]));
}

/** Copies with skopeo (which verifies every blob's digest on the way). */
export async function skopeoCopy(source: string, destination: string, options: { src?: SkopeoAuth; dest?: SkopeoAuth; extra?: string[] } = {}): Promise<void> {
  // No signature policy applies to test images.
  const args = ['--insecure-policy', 'copy', '--quiet', ...(options.extra ?? [])];
  if (source.startsWith('docker://')) args.push(...flags('src-', options.src ?? {}));
  if (destination.startsWith('docker://')) args.push(...flags('dest-', options.dest ?? {}));
  await runAsync('skopeo', [...args, source, destination]);
}

export async function skopeoDelete(reference: string, auth: SkopeoAuth = {}): Promise<void> {
  await runAsync('skopeo', ['delete', ...flags('', auth), `docker://${reference}`]);
}
