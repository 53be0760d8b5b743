import { readFile, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { WeirError } from '../../errors.js';

export interface SandboxUser {
  uid: number;
  gid: number;
  /** From the image's /etc/passwd; `/` when the user has no entry there. */
  home: string;
}

/**
 * The uid, gid and home of a user as an image names it (`""` root, `name`, `uid`,
 * `name:group`, `uid:gid`), looked up in the image's /etc/passwd and /etc/group as a container
 * runtime does. A numeric uid needs no entry; a name does.
 */
export async function resolveImageUser(rootfs: string, spec: string, location: string): Promise<SandboxUser> {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = parseColonFile(await readImageFile(rootfs, 'etc/passwd'));
  const byName = userPart === '' ? passwd.find((entry) => entry[2] === '0') : passwd.find((entry) => entry[0] === userPart);
  let uid: number;
  let gid: number;
  let home = '/';
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    const entry = passwd.find((fields) => fields[2] === userPart);
    gid = entry ? Number(entry[3]) : uid;
    if (entry?.[5]) home = entry[5];
  } else if (userPart === '' || byName) {
    uid = byName ? Number(byName[2]) : 0;
    gid = byName ? Number(byName[3]) : 0;
    if (byName?.[5]) home = byName[5];
    else if (userPart === '') home = '/root';
  } else {
    throw new WeirError('task-user-unknown', `user "${userPart}" is not in the image's /etc/passwd`, {
      location,
      hint: 'name a user the image has, or give a numeric uid (e.g. run.user: "1000")',
    });
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const group = parseColonFile(await readImageFile(rootfs, 'etc/group')).find((entry) => entry[0] === groupPart);
      if (!group) {
        throw new WeirError('task-group-unknown', `group "${groupPart}" is not in the image's /etc/group`, {
          location,
          hint: 'name a group the image has, or give a numeric gid (e.g. run.user: "1000:1000")',
        });
      }
      gid = Number(group[2]);
    }
  }
  if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(gid)) {
    throw new WeirError('task-user-unknown', `user "${spec}" has no valid uid and gid in the image`, { location, hint: 'give a numeric uid:gid' });
  }
  return { uid, gid, home };
}

function parseColonFile(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

/**
 * A file of the image, read only when it resolves inside the root filesystem: an image's
 * /etc/passwd that is a symlink to /etc/shadow must not make weir read the host's.
 */
async function readImageFile(rootfs: string, path: string): Promise<string> {
  try {
    const root = await realpath(rootfs);
    const file = await realpath(join(rootfs, path));
    if (!file.startsWith(root + sep)) return '';
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}
