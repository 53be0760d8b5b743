import { processIo } from './io.js';
import { runCli } from './program.js';

const status = await runCli(process.argv.slice(2), processIo());
// Once a command has printed its answer it is done: an HTTP keep-alive socket or a library's
// timer must not hold the process. The empty writes call back after what was written before them.
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
process.exit(status);
