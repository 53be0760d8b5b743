import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { artifactPath } from '../artifact-paths.js';
import { ResourceError } from '../interface.js';
import { kubeClientModule } from '../kube/client.js';

/** An object from a manifest, as far as weir needs to know it before the API server does. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [field: string]: unknown };
  [field: string]: unknown;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/;

/**
 * The objects in `paths` (files, or directories read in name order, not recursively), in order.
 * Paths are the build's artifacts: one that leads outside the build's directory, also through a
 * symlink, is refused.
 */
export async function readManifests(workdir: string, paths: string[]): Promise<Array<{ file: string; object: ManifestObject }>> {
  const { loadAllYaml } = await kubeClientModule();
  const root = await realpath(workdir);
  const objects: Array<{ file: string; object: ManifestObject }> = [];
  for (const path of paths) {
    const resolved = await confined(root, path);
    const shownPath = relative(root, resolve(root, path));
    // Each file of a directory is confined too: one of them may be a link out of the artifact.
    const files = (await stat(resolved)).isDirectory()
      ? await Promise.all(
          (await readdir(resolved))
            .filter((name) => MANIFEST_FILE.test(name))
            .sort()
            .map(async (name) => ({ file: await confined(root, join(path, name)), shown: join(shownPath, name) })),
        )
      : [{ file: resolved, shown: shownPath }];
    if (files.length === 0) throw new ResourceError('kubernetes-manifests-empty', `${path} holds no .yaml, .yml or .json file`, 'point `manifests` at the files, or the directory holding them');
    for (const { file, shown } of files) {
      let documents: unknown[];
      try {
        documents = loadAllYaml(await readFile(file, 'utf8'));
      } catch (error) {
        const { reason, mark } = error as { reason?: string; mark?: { line?: number } };
        throw new ResourceError('kubernetes-manifest-invalid', `${shown}${typeof mark?.line === 'number' ? `:${mark.line + 1}` : ''} is not valid YAML: ${reason ?? (error as Error).message}`, 'fix the manifest; `kubectl apply --dry-run=client -f` shows the same problem');
      }
      documents.forEach((document, index) => {
        if (document === null || document === undefined) return;
        for (const object of document && typeof document === 'object' && (document as { kind?: unknown }).kind === 'List' ? ((document as { items?: unknown[] }).items ?? []) : [document]) {
          objects.push({ file: shown, object: checked(object, `${shown} document ${index + 1}`) });
        }
      });
    }
  }
  if (objects.length === 0) throw new ResourceError('kubernetes-manifests-empty', `${paths.join(', ')} holds no objects`, 'each document needs apiVersion, kind and metadata.name');
  return objects;
}

function confined(root: string, path: string): Promise<string> {
  return artifactPath(root, path, {
    outside: () => new ResourceError('kubernetes-path-outside', `\`${path}\` leaves the build's artifacts`, 'name a file or directory inside an artifact of this build, as `repo/deploy` or `manifests/app.yaml`'),
    missing: () => new ResourceError('kubernetes-manifests-missing', `${path} does not exist in the build's artifacts`, 'name the step that produced the manifests, as `repo/deploy/app.yaml` for a get step called `repo`'),
  });
}

function checked(object: unknown, where: string): ManifestObject {
  const candidate = object as Partial<ManifestObject> | null;
  const missing = ['apiVersion', 'kind'].filter((field) => typeof (candidate as Record<string, unknown> | null)?.[field] !== 'string');
  if (typeof candidate?.metadata?.name !== 'string') missing.push('metadata.name');
  if (missing.length > 0) throw new ResourceError('kubernetes-manifest-invalid', `${where} has no ${missing.join(', ')}`, 'every object needs apiVersion, kind and metadata.name (generateName cannot be applied)');
  return candidate as ManifestObject;
}
