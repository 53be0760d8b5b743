import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitSettings } from './source.js';
import { credentialHost, decodeURIComponentSafely } from './uri.js';

/**
 * Everything a git process needs to reach the repository: environment (the source's git settings
 * included) and the temporary files holding credentials. Secrets live in the environment of the
 * git process and a 0600 key file in a 0700 directory, never on a command line (which `ps`
 * shows to everyone on the host), in the cache or in a remote URL.
 */
export interface GitAccess {
  /** A private empty directory, the working directory of commands that need no repository (ls-remote). */
  scratchDir: string;
  env: Record<string, string>;
  /** The environment variables weir sets on purpose; simple-git refuses any other GIT_* one. */
  allowedEnvironment: string[];
  /** simple-git's guards weir opts out of, each because weir itself sets that variable. */
  unsafe: UnsafeAllowances;
  /** Replaces every secret of the source in `text` (git echoes URLs, servers echo input). */
  scrub(text: string): string;
  /** Deletes the credential files. */
  close(): Promise<void>;
}

/** simple-git guards against git settings that run programs; weir lifts one only to set the setting itself. */
export type UnsafeAllowances = Partial<
  Record<'allowUnsafeAskPass' | 'allowUnsafeSshCommand' | 'allowUnsafeConfigPaths' | 'allowUnsafeConfigEnvCount', boolean>
>;

/**
 * A credential helper git runs through GIT_ASKPASS (set even without credentials, so that a
 * repository's own core.askPass never runs). It holds no secret itself: it answers from
 * its environment, and only when git asks on behalf of the source's own host (the prompt must
 * end with that host, so a crafted user name in a submodule URL cannot pass for it).
 */
const ASKPASS_SCRIPT = `#!/bin/sh
# git prompts "Username for 'https://host': " and "Password for 'https://user@host': ".
case "$1" in
  "Username for 'http://$WEIR_GIT_AUTH_HOST': "|"Username for 'https://$WEIR_GIT_AUTH_HOST': ") printf '%s\\n' "$WEIR_GIT_USERNAME" ;;
  "Password for 'http"*"@$WEIR_GIT_AUTH_HOST': ") printf '%s\\n' "$WEIR_GIT_PASSWORD" ;;
  *) exit 1 ;;
esac
`;

/** Runs `work` with the source's access open, and closes it (deleting the credential files) afterwards. */
export async function withGitAccess<T>(settings: GitSettings, work: (access: GitAccess) => Promise<T>): Promise<T> {
  const access = await openGitAccess(settings);
  try {
    return await work(access);
  } finally {
    await access.close();
  }
}

/**
 * Variables that steer git (GIT_DIR from a hook, an editor for a rebase): not passed on from the
 * engine's environment, and simple-git refuses them unless allowed by name.
 */
const STEERING_VARIABLES = /^(GIT_.*|EDITOR|VISUAL|PAGER|PREFIX|SSH_ASKPASS)$/i;

/** git_config values that cannot be secrets, and would mangle every message if scrubbed ("false", "10m"). */
const PLAIN_CONFIG_VALUE = /^(true|false|yes|no|on|off|-?\d+[kmg]?)$/i;

/** Ambient variables passed on all the same: a CA the operator configured for the host's git. */
const AMBIENT_GIT_VARIABLES = ['GIT_SSL_CAINFO', 'GIT_SSL_CAPATH'];

export async function openGitAccess(settings: GitSettings): Promise<GitAccess> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-git-'));
  try {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (value !== undefined && (!STEERING_VARIABLES.test(name) || AMBIENT_GIT_VARIABLES.includes(name))) env[name] = value;
    }
    Object.assign(env, {
      GIT_TERMINAL_PROMPT: '0',
      // Like Concourse's clean container: the engine host's ~/.gitconfig and /etc/gitconfig
      // (credential stores, URL rewrites) do not apply; git_config in the source does.
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_SSH_COMMAND: await sshCommand(settings, dir),
    });
    const askpass = join(dir, 'askpass.sh');
    await writeFile(askpass, ASKPASS_SCRIPT, { mode: 0o700 });
    env.GIT_ASKPASS = askpass;
    const allowedEnvironment = ['GIT_TERMINAL_PROMPT', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'GIT_SSH_COMMAND', 'GIT_ASKPASS', ...AMBIENT_GIT_VARIABLES];
    const secrets: string[] = [];

    // Through the environment, not `-c`: values may be secrets (an http.extraHeader with a token).
    // simple-git still checks each entry for settings that run programs (allowUnsafeConfigEnvCount
    // only lets weir set the variables). A call's own `-c` settings win over these.
    const config = [...(settings.skipSslVerification ? ['http.sslVerify=false'] : []), ...settings.gitConfig];
    config.forEach((entry, index) => {
      const separator = entry.indexOf('=');
      const value = entry.slice(separator + 1);
      env[`GIT_CONFIG_KEY_${index}`] = entry.slice(0, separator);
      env[`GIT_CONFIG_VALUE_${index}`] = value;
      allowedEnvironment.push(`GIT_CONFIG_KEY_${index}`, `GIT_CONFIG_VALUE_${index}`);
      if (!PLAIN_CONFIG_VALUE.test(value)) secrets.push(value);
    });
    env.GIT_CONFIG_COUNT = String(config.length);
    allowedEnvironment.push('GIT_CONFIG_COUNT');

    const host = credentialHost(settings.uri);
    const credentials = settings.httpCredentials;
    if (credentials && host) {
      Object.assign(env, { WEIR_GIT_AUTH_HOST: host, WEIR_GIT_USERNAME: credentials.username, WEIR_GIT_PASSWORD: credentials.password });
      secrets.push(credentials.password, encodeURIComponent(credentials.password), Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'));
    }
    if (settings.uriPassword) secrets.push(settings.uriPassword, decodeURIComponentSafely(settings.uriPassword));
    if (settings.privateKey) secrets.push(...settings.privateKey.key.split(/\r?\n/).filter((line) => line.trim().length >= 16 && !line.includes('-----')));
    const worthScrubbing = [...new Set(secrets.filter((secret) => secret.length >= 3))].sort((a, b) => b.length - a.length);
    return {
      scratchDir: dir,
      env,
      allowedEnvironment,
      unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true, allowUnsafeConfigPaths: true, allowUnsafeConfigEnvCount: true },
      scrub: (text) => worthScrubbing.reduce((scrubbed, secret) => scrubbed.split(secret).join('***'), text),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * ssh never prompts (BatchMode). With a private key: only that key, written 0600 (ssh refuses
 * looser files), and the host key accepted as Concourse's git resource does.
 */
async function sshCommand(settings: GitSettings, dir: string): Promise<string> {
  const options = ['-o BatchMode=yes'];
  if (settings.privateKey) {
    const keyFile = join(dir, 'id_key');
    const key = settings.privateKey.key.replace(/\r\n/g, '\n');
    // OpenSSH rejects a key file whose last line has no newline.
    await writeFile(keyFile, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    options.push(`-i ${shellQuote(keyFile)}`, '-o IdentitiesOnly=yes', '-o StrictHostKeyChecking=no', '-o UserKnownHostsFile=/dev/null', '-o LogLevel=ERROR');
    if (settings.privateKey.user) options.push(`-l ${shellQuote(settings.privateKey.user)}`);
  }
  return `ssh ${options.join(' ')}`;
}

/** git runs GIT_SSH_COMMAND through the shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
