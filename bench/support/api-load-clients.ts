/**
 * The clients of bench/api-load.ts, in a process of their own so their work does not count
 * against the engine's event loop: `clients` loops, each sending one request after another
 * for `seconds`, over keep-alive connections. Prints one JSON line: every latency in ms (and
 * those after a 5 s warm-up apart, and each client's first, which waited for its connection
 * to be accepted), the CPU time the clients used, the statuses, and the slowest requests with
 * their paths.
 */
import { Agent, request } from 'node:http';

const [baseUrl, clientsText, secondsText, pathsJson] = process.argv.slice(2);
const clients = Number(clientsText);
const seconds = Number(secondsText);
const paths = JSON.parse(pathsJson!) as string[];
const agent = new Agent({ keepAlive: true, maxSockets: clients });
const base = new URL(baseUrl!);

function get(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: base.hostname, port: base.port, path: `/api/v1${path}`, headers: { host: base.host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const latencies: number[] = [];
/** Latencies of requests sent after the first `WARM_UP_SECONDS`: the steady state. */
const steady: number[] = [];
const WARM_UP_SECONDS = 5;
/** Each client's first request, sent on a connection of its own the server has yet to accept. */
const first: number[] = [];
const statuses: Record<string, number> = {};
const slowest: Array<{ ms: number; path: string; at: number }> = [];
const started = performance.now();
const cpuBefore = process.cpuUsage();
const until = started + seconds * 1000;

async function client(index: number): Promise<void> {
  for (let i = index; performance.now() < until; i++) {
    const path = paths[i % paths.length]!;
    const sent = performance.now();
    let status: string;
    try {
      status = String(await get(path));
    } catch (error) {
      status = (error as NodeJS.ErrnoException).code ?? 'error';
    }
    const ms = performance.now() - sent;
    latencies.push(ms);
    if (i === index) first.push(ms);
    if (sent - started > WARM_UP_SECONDS * 1000) steady.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (ms > 1000) slowest.push({ ms, path, at: (sent - started) / 1000 });
  }
}

await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
agent.destroy();
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ latencies, steady, first, cpuSeconds: (cpu.user + cpu.system) / 1e6, statuses, seconds: (performance.now() - started) / 1000, slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 10) }));
