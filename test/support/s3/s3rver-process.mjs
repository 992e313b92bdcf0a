// Runs s3rver in its own process, which Node starts with --openssl-legacy-provider: s3rver
// encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps only there.
// Argument: a JSON object {port, directory, buckets}. Prints {"port": N} once listening;
// ends when its parent closes stdin (so it never outlives the test) or on SIGTERM.
import S3rver from 's3rver';

const { port, directory, buckets } = JSON.parse(process.argv[2]);
const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
// s3rver's DeleteObjects deletes its keys concurrently, and each delete removes the directories
// it emptied: two deletes in one folder race on its rmdir and the request fails with an
// InternalError. Real S3 has no such race, so deletes here run one at a time.
const deleteObject = server.store.deleteObject.bind(server.store);
let deletes = Promise.resolve();
server.store.deleteObject = (bucket, key) => {
  const done = deletes.then(() => deleteObject(bucket, key));
  deletes = done.catch(() => undefined);
  return done;
};
const address = await server.run();
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
const stop = () => server.close().then(() => process.exit(0), () => process.exit(1));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
