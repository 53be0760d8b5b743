import { GitError, GitPluginError, simpleGit, type SimpleGitOptions } from 'simple-git';
import { ResourceError, type ResourceContext } from '../interface.js';
import type { GitAccess } from './git-access.js';
import { classifyGitFailure, gitComplaint } from './git-failure.js';

/** What a git process did, for callers that expect some failures (a rejected push, a missing object). */
export interface GitOutcome {
  exitCode: number;
  stdout: string;
  /** Scrubbed of the source's secrets. */
  stderr: string;
}

export interface GitCall {
  /** Where git runs; must exist. */
  cwd: string;
  args: string[];
  /** Says what the command does, for error messages: "fetching main from https://…". */
  what: string;
  /** Lines written to the process's stdin (`rev-list --stdin`). */
  input?: readonly string[];
  /** `-c name=value` settings for this call only; they win over the source's git_config. Never secrets: `ps` shows them. */
  config?: string[];
}

/** Carries the exit code and output of a failed process out of simple-git. */
class GitProcessFailure extends GitError {
  constructor(
    readonly exitCode: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(undefined, stderr);
  }
}

/**
 * Runs the system git through simple-git with the source's access (credentials, git settings)
 * and the context's abort signal. Failures become ResourceErrors that say what was being done
 * and carry git's own words, with secrets scrubbed and the pipeline's vars redacted.
 *
 * simple-git waits 50 ms after a process that printed nothing (its completion detection), so
 * the commands of check and get are chosen or flagged to print something (`fetch --verbose`,
 * no `--quiet`): a check with nothing new is then a few milliseconds, not a few hundred.
 */
export class GitRunner {
  constructor(
    private readonly access: GitAccess,
    private readonly ctx: ResourceContext,
  ) {}

  /** stdout of a command that must succeed. */
  async run(call: GitCall): Promise<string> {
    const outcome = await this.attempt(call);
    if (outcome.exitCode !== 0) throw this.failure(call.what, outcome.stderr);
    return outcome.stdout;
  }

  /** Runs a command whose failure the caller handles; only a refused or aborted command throws. */
  async attempt(call: GitCall): Promise<GitOutcome> {
    const options: Partial<SimpleGitOptions> = {
      baseDir: call.cwd,
      abort: this.ctx.signal,
      config: call.config ?? [],
      unsafe: this.access.unsafe,
      allowEnvironment: this.access.allowedEnvironment,
      trimmed: false,
      errors: (error, result) => {
        if (result.exitCode === 0) return error;
        return new GitProcessFailure(result.exitCode, Buffer.concat(result.stdOut).toString('utf8'), Buffer.concat(result.stdErr).toString('utf8'));
      },
      ...(call.input && { input: () => `${call.input!.join('\n')}\n` }),
    };
    this.ctx.logger.debug({ git: this.access.scrub(call.args.join(' ')), cwd: call.cwd }, 'git');
    try {
      const stdout = await simpleGit(options).env(this.access.env).raw(call.args);
      return { exitCode: 0, stdout, stderr: '' };
    } catch (error) {
      if (this.ctx.signal.aborted) throw new ResourceError('git-aborted', `${call.what} was stopped before it finished`);
      if (error instanceof GitProcessFailure) {
        return { exitCode: error.exitCode, stdout: error.stdout, stderr: this.access.scrub(error.stderr) };
      }
      if (error instanceof GitPluginError && (error.plugin === 'unsafe' || error.plugin === 'allowEnvironment')) {
        throw new ResourceError(
          'git-config-not-allowed',
          `git refused to run with the source's git_config: ${error.message}`,
          'weir runs git on the engine host, so settings that make git run other programs (ssh commands, credential helpers, hooks, URL rewrites) are not allowed; remove that entry from git_config',
        );
      }
      throw error;
    }
  }

  /** A ResourceError for a failed command, in the user's terms. */
  failure(what: string, stderr: string): ResourceError {
    const kind = classifyGitFailure(stderr);
    const complaint = gitComplaint(stderr);
    const message = this.ctx.redact(this.access.scrub(complaint ? `${what} failed: ${complaint}` : `${what} failed`));
    return new ResourceError(kind.code, message, kind.hint);
  }
}
