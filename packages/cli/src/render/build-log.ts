import type { ApiBuildEvent } from '../client/api-types.js';
import { formatVersionFields } from '../version-fields.js';
import type { Palette } from './palette.js';
import { formatClock } from './times.js';

/** A line to print, and whether it belongs on stdout or stderr. */
export interface OutputLine {
  stream: 'out' | 'err';
  text: string;
}

export interface BuildLogOptions {
  /** Prefix every line with the time it happened (`-t`). */
  timestamps: boolean;
  paint: Palette;
}

/**
 * Turns build events into what `weir watch` prints: a header per step, log lines on the stream
 * the task wrote them to, and a line for each step that did not succeed. Remembers step names,
 * because only `step-started` carries them.
 */
export class BuildLogFormatter {
  private readonly steps = new Map<string, string>();

  constructor(private readonly options: BuildLogOptions) {}

  /** What a step is called on screen, `task: unit`, once it has started. */
  stepLabel(origin: string): string | undefined {
    return this.steps.get(origin);
  }

  format(event: ApiBuildEvent): OutputLine[] {
    const { paint } = this.options;
    switch (event.type) {
      case 'step-started': {
        const label = event.data.name === undefined ? event.data.kind : `${event.data.kind}: ${event.data.name}`;
        this.steps.set(event.origin, label);
        return [this.line('out', event.at, paint.bold(paint.cyan(`▸ ${label}`)))];
      }
      case 'log': {
        const { stream, line } = event.data;
        if (stream === 'stderr') return [this.line('err', event.at, line)];
        return [this.line('out', event.at, stream === 'weir' ? paint.dim(line) : line)];
      }
      case 'step-finished': {
        const label = this.steps.get(event.origin) ?? `step ${event.origin}`;
        const { outcome, exit_status: exitStatus, version, metadata, message } = event.data;
        if (outcome === 'succeeded') {
          if (version === undefined) return [];
          // A get's or put's metadata (commit message, author, digest...) is shown with its version, as Concourse does.
          const fields = (metadata ?? []).map((field) => this.line('out', event.at, paint.dim(`    ${field.name}: ${field.value}`)));
          return [this.line('out', event.at, paint.dim(`  → ${formatVersionFields(version)}`)), ...fields];
        }
        const detail = [exitStatus === undefined ? '' : ` (exit status ${exitStatus})`, message === undefined ? '' : `: ${message}`].join('');
        const color = outcome === 'failed' ? paint.red : outcome === 'errored' ? paint.magenta : paint.yellow;
        return [this.line(outcome === 'aborted' ? 'out' : 'err', event.at, color(`▸ ${label} ${outcome}${detail}`))];
      }
      case 'error': {
        const lines = [this.line('err', event.at, `${paint.red('error:')} ${event.data.message}`)];
        if (event.data.hint) lines.push(this.line('err', event.at, `  ${paint.cyan('hint:')} ${event.data.hint}`));
        return lines;
      }
      case 'status':
        // The build's end is printed from the build itself, which also says why it errored.
        return [];
      default:
        return unknownEvent(event);
    }
  }

  private line(stream: OutputLine['stream'], at: number, text: string): OutputLine {
    return { stream, text: this.options.timestamps ? `${this.options.paint.dim(formatClock(at))}  ${text}` : text };
  }
}

/** A newer engine may send kinds of events this CLI does not know; they are not for it to show. */
function unknownEvent(_event: never): OutputLine[] {
  return [];
}
