// The app each pull request's environment runs in the pr-environments example: an HTTP server
// on its own port that keeps its state (a visit counter) in its own data directory, so one
// machine can hold many environments side by side.
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, data: { type: 'string' }, commit: { type: 'string', default: 'unknown' } } });
if (!values.port || !values.data) {
  console.error('usage: server.mjs --port PORT --data DIR [--commit SHA]');
  process.exit(2);
}
mkdirSync(values.data, { recursive: true });
const counter = join(values.data, 'visits');

const server = createServer((request, response) => {
  // The commit it runs, so a deploy can tell this app from the one it replaced.
  if (request.url === '/health') {
    response.end(values.commit);
    return;
  }
  let visits = 0;
  try {
    visits = Number(readFileSync(counter, 'utf8')) || 0;
  } catch {
    // First visit: no counter yet.
  }
  writeFileSync(counter, String(visits + 1));
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ commit: values.commit, visits: visits + 1, data: values.data }));
});
server.listen(Number(values.port), '127.0.0.1', () => console.log(`listening on 127.0.0.1:${values.port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
