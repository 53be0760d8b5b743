import { describe, expect, it } from 'vitest';
import { bubblewrapArgs } from '../../../src/executors/sandbox/bubblewrap-args.js';

describe('bubblewrapArgs', () => {
  const layout = { rootfs: '/images/busybox/rootfs', cwd: '/tmp/build/x' };

  it('takes a sandbox out of the terminal it starts from, unless the terminal is its own', () => {
    // A task must not type into weir's terminal (TIOCSTI); an intercept session's pseudo-terminal is read by the sandbox alone.
    expect(bubblewrapArgs(layout, [])).toContain('--new-session');
    expect(bubblewrapArgs({ ...layout, ownTerminal: false }, [])).toContain('--new-session');
    expect(bubblewrapArgs({ ...layout, ownTerminal: true }, [])).not.toContain('--new-session');
  });
});
