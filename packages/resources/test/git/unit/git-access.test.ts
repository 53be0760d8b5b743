import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openGitAccess as openAccess, type GitAccess } from '../../../src/git/git-access.js';
import { compileSource } from '../../../src/git/source.js';

const opened: GitAccess[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((access) => access.close()));
});

async function openGitAccess(...args: Parameters<typeof openAccess>): Promise<GitAccess> {
  const access = await openAccess(...args);
  opened.push(access);
  return access;
}

const PASSWORD = 'p@ss word/with:odd%chars';
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACB0ZXN0LWtleS1ub3QtcmVhbC1qdXN0LWZvci10aGUtdGVzdA==\n-----END OPENSSH PRIVATE KEY-----';

describe('openGitAccess', () => {
  it('writes the private key 0600 into a 0700 directory for ssh, and removes it on close', async () => {
    const access = await openGitAccess(compileSource({ uri: 'ssh://git@host/repo.git', private_key: KEY, private_key_user: 'deploy' }));
    const keyFile = /-i '([^']+)'/.exec(access.env.GIT_SSH_COMMAND!)![1]!;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(access.scratchDir).mode & 0o777).toBe(0o700);
    expect(access.env.GIT_SSH_COMMAND).toContain('-o BatchMode=yes');
    expect(access.env.GIT_SSH_COMMAND).toContain("-l 'deploy'");
    expect(access.env.GIT_SSH_COMMAND).not.toContain('BEGIN');
    expect(access.scrub(`key line ${KEY.split('\n')[1]}`)).toBe('key line ***');
    await access.close();
    expect(existsSync(keyFile)).toBe(false);
  });

  it('answers git with the https credentials through GIT_ASKPASS, for the source host only', async () => {
    const access = await openGitAccess(compileSource({ uri: 'https://git.example.com:8443/repo.git', username: 'bot', password: PASSWORD }));
    const ask = (prompt: string) => {
      try {
        return execFileSync(access.env.GIT_ASKPASS!, [prompt], { env: access.env, encoding: 'utf8' }).trim();
      } catch {
        return '(refused)';
      }
    };
    expect(ask("Username for 'https://git.example.com:8443': ")).toBe('bot');
    expect(ask("Password for 'https://bot@git.example.com:8443': ")).toBe(PASSWORD);
    expect(ask("Password for 'https://bot@evil.example.com': ")).toBe('(refused)');
    expect(ask("Password for 'https://bot@git.example.com:8443.evil.com': ")).toBe('(refused)');
    expect(ask("Password for 'https://git.example.com:8443'@evil.com': ")).toBe('(refused)');
    expect(ask("Username for 'https://evil.com/://git.example.com:8443': ")).toBe('(refused)');
  });

  it('answers with the credentials of an http(s) URI, which git is given without them', async () => {
    const settings = compileSource({ uri: 'https://bot:uri%2Dsecret@git.example.com/repo.git' });
    expect(settings.uri).toBe('https://git.example.com/repo.git');
    const access = await openGitAccess(settings);
    expect(access.env).toMatchObject({ WEIR_GIT_AUTH_HOST: 'git.example.com', WEIR_GIT_USERNAME: 'bot', WEIR_GIT_PASSWORD: 'uri-secret' });
    expect(compileSource({ uri: 'ssh://deploy:unused@git.example.com/repo.git' }).uri).toBe('ssh://deploy@git.example.com/repo.git');
  });

  it('scrubs git_config values, except plain ones that would mangle messages', async () => {
    const access = await openGitAccess(compileSource({ uri: 'https://h/r.git', git_config: [{ name: 'http.extraHeader', value: 'Authorization: Bearer t0ken' }, { name: 'core.autocrlf', value: false }] }));
    expect(access.scrub('sent Authorization: Bearer t0ken, autocrlf false')).toBe('sent ***, autocrlf false');
  });

  it('scrubs the password in every form git or a server may echo it', async () => {
    const access = await openGitAccess(compileSource({ uri: 'https://bot:uri%2Dsecret@h/r.git', username: 'bot', password: PASSWORD }));
    const base64 = Buffer.from(`bot:${PASSWORD}`).toString('base64');
    expect(access.scrub(`a ${PASSWORD} b ${encodeURIComponent(PASSWORD)} c ${base64} d uri%2Dsecret e uri-secret`)).toBe('a *** b *** c *** d *** e ***');
  });

  it('keeps the engine host git settings and steering variables away from git', async () => {
    process.env.GIT_DIR = '/somewhere/else';
    process.env.EDITOR = 'vim';
    try {
      const access = await openGitAccess(compileSource({ uri: 'https://h/r.git', skip_ssl_verification: true, git_config: [{ name: 'core.bigFileThreshold', value: '10m' }] }));
      expect(access.env).toMatchObject({ GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' });
      expect(access.env.GIT_DIR).toBeUndefined();
      expect(access.env.EDITOR).toBeUndefined();
      expect(access.env.WEIR_GIT_PASSWORD).toBeUndefined();
      expect(access.env).toMatchObject({
        GIT_CONFIG_COUNT: '2',
        GIT_CONFIG_KEY_0: 'http.sslVerify',
        GIT_CONFIG_VALUE_0: 'false',
        GIT_CONFIG_KEY_1: 'core.bigFileThreshold',
        GIT_CONFIG_VALUE_1: '10m',
      });
    } finally {
      delete process.env.GIT_DIR;
      delete process.env.EDITOR;
    }
  });
});
