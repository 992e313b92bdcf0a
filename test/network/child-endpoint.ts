/**
 * A second process for the kill test: its endpoint sends one batch on `from-child` to
 * the parent, offers an input `to-child`, prints its address, then idles until killed.
 */
import { NetworkEndpoint } from '../../src/runtime/network/tcp/network-endpoint.ts';
import { RecordBatch } from '../../src/runtime/stream-element.ts';

const parentPort = Number(process.argv[2]);
const endpoint = await NetworkEndpoint.listen();
endpoint.registerInput('to-child', 4);
const connection = await endpoint.connect({ host: '127.0.0.1', port: parentPort });
const out = endpoint.openOutput(connection, 'from-child', { bufferTimeoutMs: 0 });
out.push(new RecordBatch([{ from: 'child', pid: process.pid }], [1]));
process.stdout.write(`${JSON.stringify(endpoint.address)}\n`);
// Stay alive (the parent kills this process) but never outlive the parent.
setInterval(() => {
  if (process.ppid === 1) process.exit(1);
}, 500);
