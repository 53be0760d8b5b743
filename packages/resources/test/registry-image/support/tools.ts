import { execFile, spawnSync } from 'node:child_process';

/**
 * True when every command is installed. A missing one skips the tests that need it on a
 * developer's machine (with a message saying so) and fails them under CI, where skipping would
 * turn the build green without testing anything.
 */
export function requireTools(names: readonly string[]): boolean {
  const missing = names.filter((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).error !== undefined);
  if (missing.length === 0) return true;
  const message = `${missing.join(' and ')} not installed (Debian: apt-get install ${missing.join(' ')})`;
  if (process.env.CI === 'true') throw new Error(`${message}; registry tests cannot be skipped under CI`);
  console.warn(`skipping registry-image integration tests: ${message}`);
  return false;
}

/** Runs a command to completion; throws with its stderr when it fails. */
export function run(command: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: options.cwd, input: options.input, timeout: 60_000 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/**
 * Runs a command without blocking the event loop: needed when it talks to a server running in
 * this process (the token service), which a synchronous run would starve.
 */
export function runAsync(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}
