import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatDuration } from '../components/bits.js';
import { ansiSegments } from './ansi.js';
import type { BuildLog, LogLine, StepSection } from './build-log.js';

const ROW_HEIGHT = 18;
const OVERSCAN = 30;

interface Props {
  log: BuildLog;
  revision: number;
  collapsed: Set<string>;
  onToggle(origin: string): void;
  /** `L<seq>` from the URL's hash: the line to scroll to and mark. */
  target: number | undefined;
  onLink(seq: number): void;
  /** Scrolls the log to a step's header. */
  scrollToStep: { origin: string; nonce: number } | undefined;
}

/**
 * The log as one virtual list of step headers and lines: only the rows in view exist in the
 * page, so 100,000 lines scroll as smoothly as 100. While the view is at the bottom it
 * follows new lines.
 */
export function LogView({ log, revision, collapsed, onToggle, target, onLink, scrollToStep }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [following, setFollowing] = useState(true);
  const targetDone = useRef<number | undefined>(undefined);

  // Where each section's header row starts; the last entry is the total.
  const starts = useMemo(() => {
    const result = new Array<number>(log.sections.length + 1);
    let row = 0;
    log.sections.forEach((section, index) => {
      result[index] = row;
      row += 1 + (collapsed.has(section.origin) ? 0 : section.lines.length);
    });
    result[log.sections.length] = row;
    return result;
  }, [revision, collapsed, log]);
  const total = starts[starts.length - 1] ?? 0;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const element = box.current;
    if (!element || !following) return;
    element.scrollTop = element.scrollHeight;
  }, [total, following]);

  useLayoutEffect(() => {
    if (target === undefined || targetDone.current === target || !box.current) return;
    const row = rowOfLine(log, starts, collapsed, target);
    if (row === undefined) return;
    targetDone.current = target;
    setFollowing(false);
    box.current.scrollTop = Math.max(0, row * ROW_HEIGHT - box.current.clientHeight / 3);
  }, [target, total]);

  useLayoutEffect(() => {
    if (!scrollToStep || !box.current) return;
    const index = log.sections.findIndex((section) => section.origin === scrollToStep.origin);
    if (index === -1) return;
    setFollowing(false);
    box.current.scrollTop = (starts[index] ?? 0) * ROW_HEIGHT;
  }, [scrollToStep]);

  const onScroll = () => {
    const element = box.current!;
    setScrollTop(element.scrollTop);
    const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - ROW_HEIGHT * 2;
    if (atBottom !== following) setFollowing(atBottom);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  let sectionIndex = sectionAt(starts, first);
  for (let row = first; row < last; row++) {
    while (sectionIndex < log.sections.length - 1 && row >= starts[sectionIndex + 1]!) sectionIndex++;
    const section = log.sections[sectionIndex]!;
    const offset = row - starts[sectionIndex]!;
    const top = row * ROW_HEIGHT;
    if (offset === 0) rows.push(<StepHeader key={`h${section.origin}`} section={section} top={top} collapsed={collapsed.has(section.origin)} onToggle={onToggle} />);
    else {
      const line = section.lines[offset - 1]!;
      rows.push(<Line key={`${section.origin}:${offset}`} line={line} top={top} marked={line.seq === target} onLink={onLink} />);
    }
  }

  return (
    <div class="log-wrap">
      <div class="log" ref={box} onScroll={onScroll} tabIndex={0} aria-label="build log">
        <div class="log-space" style={{ height: `${total * ROW_HEIGHT}px` }}>
          {rows}
        </div>
      </div>
      <button
        type="button"
        class={`follow ${following ? 'on' : ''}`}
        onClick={() => {
          setFollowing(true);
          if (box.current) box.current.scrollTop = box.current.scrollHeight;
        }}
      >
        {following ? 'following' : 'follow ↓'}
      </button>
    </div>
  );
}

function StepHeader({ section, top, collapsed, onToggle }: { section: StepSection; top: number; collapsed: boolean; onToggle(origin: string): void }) {
  const duration = section.startedAt !== undefined ? formatDuration((section.endedAt ?? Date.now()) - section.startedAt) : '';
  return (
    <div class={`row step-header status-${section.status}`} style={{ transform: `translateY(${top}px)` }} data-step={section.origin}>
      <button type="button" class="toggle" aria-expanded={!collapsed} onClick={() => onToggle(section.origin)}>
        {collapsed ? '▸' : '▾'} <span class="kind">{section.kind}</span> <span class="step-name">{section.name}</span>
      </button>
      <span class="step-status">{section.status}</span>
      <span class="muted">{duration}</span>
      {section.lines.length > 0 ? <span class="muted">{section.lines.length} lines</span> : null}
    </div>
  );
}

function Line({ line, top, marked, onLink }: { line: LogLine; top: number; marked: boolean; onLink(seq: number): void }) {
  const time = new Date(line.at);
  const stamp = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
  return (
    <div class={`row line stream-${line.stream}${marked ? ' marked' : ''}`} style={{ transform: `translateY(${top}px)` }} id={`L${line.seq}`}>
      <a
        class="line-link"
        href={`#L${line.seq}`}
        title={time.toLocaleString()}
        onClick={(event) => {
          event.preventDefault();
          onLink(line.seq);
        }}
      >
        {stamp}
      </a>
      <span class="text">
        {ansiSegments(line.text).map((segment, index) => (
          <span
            key={index}
            class={[segment.bold && 'b', segment.italic && 'i', segment.underline && 'u', segment.dim && 'd'].filter(Boolean).join(' ') || undefined}
            style={segment.color || segment.background ? { color: segment.color, background: segment.background } : undefined}
          >
            {segment.text}
          </span>
        ))}
      </span>
    </div>
  );
}

function pad(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** The index of the section whose rows include `row` (binary search over the starts). */
function sectionAt(starts: number[], row: number): number {
  let low = 0;
  let high = starts.length - 2;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= row) low = mid;
    else high = mid - 1;
  }
  return Math.max(0, low);
}

function rowOfLine(log: BuildLog, starts: number[], collapsed: Set<string>, seq: number): number | undefined {
  for (let index = 0; index < log.sections.length; index++) {
    const section = log.sections[index]!;
    if (collapsed.has(section.origin)) continue;
    const at = section.lines.findIndex((line) => line.seq === seq);
    if (at !== -1) return starts[index]! + 1 + at;
  }
  return undefined;
}
