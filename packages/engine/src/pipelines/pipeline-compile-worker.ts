/**
 * The pipeline compiler's worker thread: YAML, schema, rules and the derived rows of a
 * set-pipeline, off the engine's event loop (2,000 jobs take a few hundred ms). One request at
 * a time, answered in the order asked.
 */
import { parentPort } from 'node:worker_threads';
import { compilePipelineSet } from './compile-pipeline-set.js';
import { failureOf, type CompileReply, type CompileRequest } from './compile-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('pipeline-compile-worker runs as a worker thread of the engine');
port.on('message', (request: CompileRequest) => {
  let reply: CompileReply;
  try {
    reply = { id: request.id, compiled: compilePipelineSet(request.input) };
  } catch (error) {
    reply = { id: request.id, failure: failureOf(error) };
  }
  port.postMessage(reply);
});
