import type { BuildId } from './snapshot.js';

/** What orders a pending build in its job's `max_in_flight` queue and in its serial groups. */
export interface QueuePlace {
  id: BuildId;
  /** The build a rerun reruns (the first of a chain of reruns), or null. */
  rerunOf: BuildId | null;
}

/**
 * Pending builds start in this order: a rerun takes the place of the build it reruns, ahead of
 * builds created after that one, as Concourse orders by `COALESCE(rerun_of, id), id`. The
 * store's queries order the same way (`queueOrderSql`); keep the two together.
 */
export function compareQueuePlace(a: QueuePlace, b: QueuePlace): number {
  return (a.rerunOf ?? a.id) - (b.rerunOf ?? b.id) || a.id - b.id;
}

/** `compareQueuePlace` as an ORDER BY over the `builds` table, optionally under an alias. */
export function queueOrderSql(alias?: string): string {
  const column = (name: string): string => (alias === undefined ? name : `${alias}.${name}`);
  return `COALESCE(${column('rerun_of')}, ${column('id')}), ${column('id')}`;
}
