import type { BuildEvent } from '../api.js';

export interface LogLine {
  seq: number;
  at: number;
  stream: string;
  text: string;
}

export interface StepSection {
  /** The plan node's id, prefixed by across iterations (`4[1]/7`); `build` for events of the build itself. */
  origin: string;
  kind: string;
  name: string;
  status: 'pending' | 'started' | 'succeeded' | 'failed' | 'errored' | 'aborted';
  startedAt?: number;
  endedAt?: number;
  lines: LogLine[];
  version?: Record<string, string>;
  metadata?: Array<{ name: string; value: string }>;
  message?: string;
  exitStatus?: number;
}

export const BUILD_ORIGIN = 'build';

/**
 * A build's events folded into one section per step, in plan order (an across iteration after
 * the steps before it). Appending is O(1) per event, so a log of 100,000 lines folds in
 * one pass as its events arrive.
 */
export class BuildLog {
  readonly sections: StepSection[] = [];
  private readonly byOrigin = new Map<string, StepSection>();
  /** Bumped on every change, so a view can tell it must redraw. */
  revision = 0;
  lineCount = 0;
  lastSeq = 0;

  constructor(private readonly planOrder: Map<string, { index: number; kind: string; name: string }> = new Map()) {
    for (const [origin, step] of [...planOrder].sort((a, b) => a[1].index - b[1].index)) {
      this.section(origin, step.kind, step.name);
    }
  }

  add(event: BuildEvent): void {
    this.revision++;
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    const data = event.data;
    switch (event.type) {
      case 'step-started': {
        const section = this.section(event.origin ?? BUILD_ORIGIN, String(data.kind ?? 'step'), String(data.name ?? ''));
        section.status = 'started';
        section.startedAt = event.at;
        return;
      }
      case 'step-finished': {
        const section = this.section(event.origin ?? BUILD_ORIGIN);
        section.status = (data.outcome as StepSection['status']) ?? 'succeeded';
        section.endedAt = event.at;
        if (data.version) section.version = data.version as Record<string, string>;
        if (data.metadata) section.metadata = data.metadata as StepSection['metadata'];
        if (typeof data.message === 'string') section.message = data.message;
        if (typeof data.exit_status === 'number') section.exitStatus = data.exit_status;
        return;
      }
      case 'log':
        this.push(event.origin ?? BUILD_ORIGIN, { seq: event.seq, at: event.at, stream: String(data.stream ?? 'stdout'), text: String(data.line ?? '') });
        return;
      case 'error': {
        const text = `error ${String(data.code)}: ${String(data.message)}${data.hint ? `\n  hint: ${String(data.hint)}` : ''}`;
        for (const line of text.split('\n')) this.push(event.origin ?? BUILD_ORIGIN, { seq: event.seq, at: event.at, stream: 'error', text: line });
        return;
      }
      case 'status':
        if (data.reason) this.push(BUILD_ORIGIN, { seq: event.seq, at: event.at, stream: 'weir', text: `build ${String(data.status)}: ${String(data.reason)}` });
        return;
    }
  }

  private push(origin: string, line: LogLine): void {
    this.section(origin).lines.push(line);
    this.lineCount++;
  }

  private section(origin: string, kind?: string, name?: string): StepSection {
    let section = this.byOrigin.get(origin);
    if (!section) {
      const planned = this.planOrder.get(baseId(origin));
      section = {
        origin,
        kind: kind ?? planned?.kind ?? (origin === BUILD_ORIGIN ? 'build' : 'step'),
        name: name ?? planned?.name ?? '',
        status: 'pending',
        lines: [],
      };
      this.byOrigin.set(origin, section);
      this.insertInOrder(section);
    } else {
      if (kind && section.kind === 'step') section.kind = kind;
      if (name && !section.name) section.name = name;
    }
    return section;
  }

  /** The build's own section first, then by plan position; iterations of one step side by side. */
  private insertInOrder(section: StepSection): void {
    const rank = this.rank(section.origin);
    let index = this.sections.length;
    while (index > 0 && this.rank(this.sections[index - 1]!.origin) > rank) index--;
    this.sections.splice(index, 0, section);
  }

  private rank(origin: string): number {
    if (origin === BUILD_ORIGIN) return -1;
    return this.planOrder.get(baseId(origin))?.index ?? Number.MAX_SAFE_INTEGER;
  }
}

/** `4[1]/7` → `7`: the plan node an across iteration runs. */
export function baseId(origin: string): string {
  const slash = origin.lastIndexOf('/');
  return slash === -1 ? origin : origin.slice(slash + 1);
}
