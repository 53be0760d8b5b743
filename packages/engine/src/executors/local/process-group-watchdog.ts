import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * A shell that outlives this process by design: it reads "+ pgid start" and "- pgid" lines
 * on stdin, and when stdin closes (this process exited, even by SIGKILL, which no handler in
 * Node can see) it kills every group still listed. The start time guards against a reused
 * pid: a group whose leader is not the process that was registered is left alone. A leader
 * that is gone may have left its group behind (a task whose script ended while its background
 * processes run): the group is killed all the same, safely, since the kernel gives no new
 * process a pid that is still some group's id. It ignores
 * the terminal's signals and runs in its own session, so a Ctrl-C that takes the engine down
 * does not take it down first.
 */
const WATCHDOG_SCRIPT = `
trap '' INT TERM HUP QUIT PIPE
groups=' '
while read -r op id start; do
  case "$op" in
    +) groups="$groups$id:$start " ;;
    -) kept=' '
       for entry in $groups; do [ "\${entry%%:*}" = "$id" ] || kept="$kept$entry "; done
       groups=$kept ;;
  esac
done
for entry in $groups; do
  id=\${entry%%:*}
  now=$(sed 's/.*) //' "/proc/$id/stat" 2>/dev/null | cut -d' ' -f20)
  { [ -z "$now" ] || [ "$now" = "\${entry#*:}" ]; } && kill -KILL "-$id" 2>/dev/null
done
`;

let watchdogInput: Writable | undefined;
/** "- pgid" lines not yet written: they go with the next registration, or at the end of the turn. */
let releases = '';
let releaseFlush: NodeJS.Immediate | undefined;

/**
 * A release may wait: until it is written the watchdog would at worst kill a group that has
 * ended, which the start time check keeps harmless. A registration may not. Sending releases
 * along with the next registration makes a burst of short tasks cost one pipe write per task,
 * not two.
 */
function writeReleases(): void {
  releaseFlush = undefined;
  if (releases === '') return;
  if (watchdogInput && !watchdogInput.destroyed) watchdogInput.write(releases);
  releases = '';
}

function input(): Writable | undefined {
  if (watchdogInput && !watchdogInput.destroyed) return watchdogInput;
  try {
    const child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => undefined);
    child.unref();
    const stdin = child.stdin as Writable & { unref?: () => void };
    stdin.on('error', () => undefined);
    // The pipe must not keep the engine's event loop alive: it is meant to close when the engine ends.
    stdin.unref?.();
    watchdogInput = stdin;
    return stdin;
  } catch {
    return undefined;
  }
}

/** The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat). */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Starts the watchdog now rather than at the first task: spawning it takes a fork and an exec,
 * and between a task's spawn and its registration the group is unprotected.
 */
export function startProcessGroupWatchdog(): void {
  if (process.platform === 'linux') input();
}

/**
 * Makes sure the process group led by `pid` (a task's program, or bubblewrap with its sandbox)
 * does not outlive this process: if this process dies first, however it dies, the watchdog
 * kills the group. Call it right after spawning the leader with `detached: true`; call the
 * returned function once the group has been killed or has ended. Only on Linux; elsewhere it
 * does nothing.
 */
export function watchProcessGroup(pid: number | undefined): () => void {
  if (process.platform !== 'linux' || pid === undefined) return () => undefined;
  const start = startTimeOf(pid);
  const stdin = start === undefined ? undefined : input();
  if (!stdin) return () => undefined;
  stdin.write(`${releases}+ ${pid} ${start}\n`);
  releases = '';
  let released = false;
  return () => {
    if (released) return;
    released = true;
    releases += `- ${pid}\n`;
    if (releaseFlush === undefined) {
      releaseFlush = setImmediate(writeReleases);
      releaseFlush.unref();
    }
  };
}
