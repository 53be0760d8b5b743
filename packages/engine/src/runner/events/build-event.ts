import type { MetadataField, Version } from '@weir/resources';
import type { BuildStatus } from '../../store/records.js';

/** How a step ended. `failed` is the user's code saying no; `errored` is weir or a resource failing. */
export type StepOutcome = 'succeeded' | 'failed' | 'errored' | 'aborted';

/**
 * Where an event comes from: the plan node's id, prefixed by the across iterations it runs
 * in, e.g. `4[1]/7` for node 7 in the second value of across node 4.
 */
export type EventOrigin = string;

export type LogStream = 'stdout' | 'stderr' | 'weir';

/** What a build reports, in order. Stored as rows and streamed to clients as they happen. */
export type BuildEventBody =
  | { type: 'status'; data: { status: BuildStatus; reason?: string } }
  | { type: 'step-started'; origin: EventOrigin; data: { kind: string; name?: string } }
  | { type: 'log'; origin: EventOrigin; data: { stream: LogStream; line: string } }
  | {
      type: 'step-finished';
      origin: EventOrigin;
      data: { outcome: StepOutcome; exit_status?: number; version?: Version; metadata?: MetadataField[]; message?: string };
    }
  | { type: 'error'; origin?: EventOrigin; data: { code: string; message: string; hint?: string } };

export type BuildEventType = BuildEventBody['type'];

/** An event as stored: numbered from 1 within its build, with the time it happened. */
export type BuildEvent = BuildEventBody & { buildId: number; seq: number; at: number };
