/** A moment as local time, `2024-05-01 14:03:27`; `n/a` for one that has not happened. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'n/a';
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `14:03:27`, for prefixing log lines. */
export function formatClock(ms: number): string {
  return formatTime(ms).slice(11);
}

/** `45s`, `3m07s`, `2h05m`: as precise as a person reading a build list needs. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
