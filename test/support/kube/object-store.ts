import { randomUUID } from 'node:crypto';

/** The resources the simulator serves, by their plural (the word in the REST path). */
export type ResourceName = 'namespaces' | 'persistentvolumeclaims' | 'events' | 'volumesnapshots' | 'volumesnapshotclasses' | 'deployments' | 'pods' | 'configmaps' | 'secrets' | 'services';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: any;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceName;
  object: KubeObject;
  resourceVersion: number;
}

export class ConflictError extends Error {}

/**
 * The simulator's etcd: objects by resource, namespace and name, one resourceVersion counter for
 * all of them, and every change kept so a watch can start from any earlier resourceVersion.
 */
export class ObjectStore {
  private version = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  get resourceVersion(): number {
    return this.version;
  }

  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(key(resource, namespace, name));
    return found && structuredClone(found);
  }

  list(resource: ResourceName, namespace?: string): KubeObject[] {
    return [...this.objects.entries()]
      .filter(([at, object]) => at.startsWith(`${resource}/`) && (namespace === undefined || object.metadata.namespace === namespace))
      .map(([, object]) => structuredClone(object));
  }

  create(resource: ResourceName, object: KubeObject, now: Date): KubeObject {
    const at = key(resource, object.metadata.namespace, object.metadata.name);
    if (this.objects.has(at)) throw new ConflictError(`${object.metadata.name} exists`);
    const stored = structuredClone(object);
    stored.metadata.uid = randomUUID();
    stored.metadata.creationTimestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
    return this.save('ADDED', resource, at, stored);
  }

  /**
   * Applies `change` to a copy of the object and stores it as a new resourceVersion. An object
   * being deleted whose last finalizer the change removed is deleted, as the API server does.
   */
  update(resource: ResourceName, namespace: string | undefined, name: string, change: (object: KubeObject) => void): KubeObject | undefined {
    const at = key(resource, namespace, name);
    const current = this.objects.get(at);
    if (!current) return undefined;
    const next = structuredClone(current);
    change(next);
    const saved = this.save('MODIFIED', resource, at, next);
    if (saved.metadata.deletionTimestamp !== undefined && ((saved.metadata.finalizers as string[] | undefined) ?? []).length === 0) return this.delete(resource, namespace, name);
    return saved;
  }

  /**
   * A DELETE: an object with finalizers is only marked (`deletionTimestamp`) and stays until its
   * controllers remove them; one without is deleted at once.
   */
  requestDeletion(resource: ResourceName, namespace: string | undefined, name: string, now: Date): KubeObject | undefined {
    const current = this.objects.get(key(resource, namespace, name));
    if (!current) return undefined;
    if (((current.metadata.finalizers as string[] | undefined) ?? []).length === 0) return this.delete(resource, namespace, name);
    if (current.metadata.deletionTimestamp !== undefined) return structuredClone(current);
    return this.update(resource, namespace, name, (object) => {
      object.metadata.deletionTimestamp = now.toISOString().replace(/\.\d+Z$/, 'Z');
      object.metadata.deletionGracePeriodSeconds = 0;
    });
  }

  delete(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const at = key(resource, namespace, name);
    const current = this.objects.get(at);
    if (!current) return undefined;
    this.objects.delete(at);
    this.version += 1;
    const gone = structuredClone(current);
    gone.metadata.resourceVersion = String(this.version);
    this.publish({ type: 'DELETED', resource, object: gone, resourceVersion: this.version });
    return structuredClone(gone);
  }

  /** Changes after `resourceVersion`, oldest first. */
  changesSince(resourceVersion: number): StoreEvent[] {
    return this.history.filter((event) => event.resourceVersion > resourceVersion).map((event) => structuredClone(event));
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private save(type: WatchEventType, resource: ResourceName, at: string, object: KubeObject): KubeObject {
    this.version += 1;
    object.metadata.resourceVersion = String(this.version);
    this.objects.set(at, object);
    this.publish({ type, resource, object: structuredClone(object), resourceVersion: this.version });
    return structuredClone(object);
  }

  private publish(event: StoreEvent): void {
    this.history.push(event);
    for (const listener of [...this.listeners]) listener(structuredClone(event));
  }
}

function key(resource: ResourceName, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ''}/${name}`;
}
