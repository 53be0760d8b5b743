import type { Palette } from './palette.js';
import { formatDuration } from './times.js';

const CLEAR_LINE = '\r\u001b[K';

/** The running steps and for how long they have run: `running: task: unit 12s, get: repo 3s`. */
export function describeRunningSteps(steps: ReadonlyArray<{ label: string; startedAt: number }>, now: number): string {
  return `running: ${steps.map((step) => `${step.label} ${formatDuration(now - step.startedAt)}`).join(', ')}`;
}

/**
 * A last line on a terminal that says which steps are running, redrawn in place: cleared
 * before anything else is printed, drawn again after it, and ticking once a second. Not a
 * line of output: it never ends in a newline, so nothing of it stays once cleared.
 */
export class ProgressLine {
  private readonly running = new Map<string, { label: string; startedAt: number }>();
  private drawn = false;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly paint: Palette,
    private readonly now: () => number = Date.now,
  ) {}

  stepStarted(origin: string, label: string, at: number): void {
    this.running.set(origin, { label, startedAt: at });
    this.ticker ??= setInterval(() => this.redraw(), 1000);
  }

  stepFinished(origin: string): void {
    this.running.delete(origin);
  }

  redraw(): void {
    this.clear();
    if (this.running.size === 0) return;
    this.write(this.paint.dim(describeRunningSteps([...this.running.values()], this.now())));
    this.drawn = true;
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.clear();
  }

  /** Takes the line away, so that whatever is printed next starts at the left edge. */
  clear(): void {
    if (!this.drawn) return;
    this.write(CLEAR_LINE);
    this.drawn = false;
  }
}
