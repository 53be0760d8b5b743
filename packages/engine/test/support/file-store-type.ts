import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayerEntry } from '../../../resources/test/registry-image/support/images.js';
import { busyboxLayer } from './sandbox-images.js';

/**
 * A Concourse resource type written as its authors write them: `/opt/resource/check`, `in` and
 * `out` as sh scripts (busybox), over a store of numbered files behind a small HTTP server
 * (the sandbox sees the host's network, never its files). A source is
 * `{url: "http://127.0.0.1:PORT/stores/NAME"}`; a version is `{n: "3"}`; a put's params name
 * the file to store (`{file: "out/value"}`). For the bad-input tests, `source.behaviour`
 * `bad-json` makes check print something that is not JSON, `huge` makes it print 17 MB, `fail`
 * makes it exit 3 saying why on stderr, and `hang` makes it never finish;
 * `image` makes `in` write the type's own root filesystem as an image (rootfs/ and
 * metadata.json), so it can fetch the image of another type declared with `type:` naming it.
 */
const CHECK = `#!/bin/sh
set -e
request=$(cat)
url=$(echo "$request" | sed -n 's/.*"url":"\\([^"]*\\)".*/\\1/p')
behaviour=$(echo "$request" | sed -n 's/.*"behaviour":"\\([^"]*\\)".*/\\1/p')
from=$(echo "$request" | sed -n 's/.*"version":{"n":"\\([0-9]*\\)"}.*/\\1/p')
echo "checking $url from \${from:-the start}" >&2
case "$behaviour" in
  bad-json) echo "this is not json"; exit 0 ;;
  hang) sleep 3600 ;;
  fail) echo "the store at $url is down" >&2; exit 3 ;;
  huge) head -c 17000000 /dev/zero | tr '\\0' a; exit 0 ;;
esac
list=$(wget -qO- "$url/versions")
if [ -z "$from" ]; then list=$(echo "$list" | tail -n 1); else list=$(echo "$list" | awk -v from="$from" '$1 >= from'); fi
out="["
for n in $list; do
  [ "$out" = "[" ] || out="$out,"
  out="$out{\\"n\\":\\"$n\\"}"
done
echo "$out]"
`;

const IN = `#!/bin/sh
set -e
request=$(cat)
url=$(echo "$request" | sed -n 's/.*"url":"\\([^"]*\\)".*/\\1/p')
n=$(echo "$request" | sed -n 's/.*"version":{"n":"\\([0-9]*\\)"}.*/\\1/p')
behaviour=$(echo "$request" | sed -n 's/.*"behaviour":"\\([^"]*\\)".*/\\1/p')
if [ "$behaviour" = image ]; then
  echo "writing this type's own root filesystem into $1 as an image" >&2
  mkdir "$1/rootfs" && cp -a /bin /etc /opt "$1/rootfs/" && mkdir "$1/rootfs/tmp"
  echo '{"env":["PATH=/bin"],"user":""}' > "$1/metadata.json"
  echo "{\\"version\\":{\\"n\\":\\"$n\\"}}"
  exit 0
fi
echo "fetching version $n of $url into $1 as build $BUILD_ID of $BUILD_PIPELINE_NAME/$BUILD_JOB_NAME" >&2
wget -qO "$1/value" "$url/versions/$n"
echo "$n" > "$1/n"
size=$(wc -c < "$1/value" | tr -d ' ')
echo "{\\"version\\":{\\"n\\":\\"$n\\"},\\"metadata\\":[{\\"name\\":\\"size\\",\\"value\\":\\"$size\\"},{\\"name\\":\\"fetched_by\\",\\"value\\":\\"$(id -u)\\"}]}"
`;

const OUT = `#!/bin/sh
set -e
request=$(cat)
url=$(echo "$request" | sed -n 's/.*"url":"\\([^"]*\\)".*/\\1/p')
file=$(echo "$request" | sed -n 's/.*"params":{[^}]*"file":"\\([^"]*\\)".*/\\1/p')
if [ -z "$file" ] || [ ! -f "$1/$file" ]; then echo "params.file must name a file in the put's inputs, got '$file'" >&2; exit 1; fi
echo "storing $file at $url" >&2
n=$(wget -qO- --post-file "$1/$file" "$url/versions")
echo "{\\"version\\":{\\"n\\":\\"$n\\"},\\"metadata\\":[{\\"name\\":\\"stored\\",\\"value\\":\\"$file\\"}]}"
`;

/** The type's image as one layer: busybox, and the three scripts (or only those given). */
export function fileStoreTypeLayer(scripts: Array<'check' | 'in' | 'out'> = ['check', 'in', 'out']): LayerEntry[] {
  const text = { check: CHECK, in: IN, out: OUT };
  return [
    ...busyboxLayer(),
    { path: 'opt', dir: true },
    { path: 'opt/resource', dir: true },
    ...scripts.map((script) => ({ path: `opt/resource/${script}`, file: text[script], mode: 0o755 })),
  ];
}

export interface FileStoreServer {
  /** `http://127.0.0.1:PORT/stores/NAME`: the source URL of one store. */
  storeUrl(name: string): string;
  /** Adds a version to a store by hand, as someone outside the pipeline would; returns its number. */
  add(name: string, content: string): string;
  /** The stored versions of a store, oldest first. */
  versions(name: string): string[];
  read(name: string, n: string): string;
  stop(): Promise<void>;
}

/** Stores as directories of numbered files: `GET .../versions`, `GET .../versions/N`, `POST .../versions`. */
export async function startFileStoreServer(): Promise<FileStoreServer> {
  const root = mkdtempSync(join(tmpdir(), 'weir-file-store-'));
  const dirOf = (name: string): string => {
    const dir = join(root, name.replace(/[^\w-]/g, '_'));
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const versions = (name: string): string[] =>
    readdirSync(dirOf(name))
      .map(Number)
      .sort((a, b) => a - b)
      .map(String);
  const add = (name: string, content: string | Buffer): string => {
    const n = String((versions(name).map(Number).at(-1) ?? 0) + 1);
    writeFileSync(join(dirOf(name), n), content);
    return n;
  };
  const server: Server = createServer((request, response) => {
    const match = /^\/stores\/([\w-]+)\/versions(?:\/(\d+))?$/.exec(request.url ?? '');
    if (!match) return void response.writeHead(404).end();
    const [, name, n] = match as unknown as [string, string, string | undefined];
    if (request.method === 'POST' && n === undefined) {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => response.end(add(name, Buffer.concat(chunks))));
      return;
    }
    if (n === undefined) return void response.end(versions(name).join('\n'));
    if (!versions(name).includes(n)) return void response.writeHead(404).end();
    response.end(readFileSync(join(dirOf(name), n)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    storeUrl: (name) => `http://127.0.0.1:${port}/stores/${name}`,
    add: (name, content) => add(name, content),
    versions,
    read: (name, n) => readFileSync(join(dirOf(name), n), 'utf8'),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
