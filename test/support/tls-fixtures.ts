// The committed test-only certificates of test/fixtures/tls (see generate.sh there): a CA,
// a broker certificate for 127.0.0.1 and localhost, one for another name, a client
// certificate, and a second CA with a client certificate of its own that nobody trusts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TLS_FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/tls');

const pem = (name: string): string => readFileSync(path.join(TLS_FIXTURES_DIR, name), 'utf8');

/** The password of client-key-encrypted.pem and of the key in client-keystore.pem. */
export const CLIENT_KEY_PASSWORD = 'client-key-secret';

export const TLS = {
  ca: pem('ca.pem'),
  otherCa: pem('other-ca.pem'),
  /** CN=localhost, SAN DNS:localhost and IP:127.0.0.1, signed by ca. */
  broker: { cert: pem('broker.pem'), key: pem('broker-key.pem') },
  /** SAN DNS:kafka.elsewhere.test only, signed by ca. */
  misnamedBroker: { cert: pem('misnamed-broker.pem'), key: pem('misnamed-broker-key.pem') },
  /** CN=weir-client (clientAuth), signed by ca. */
  client: { cert: pem('client.pem'), key: pem('client-key.pem'), encryptedKey: pem('client-key-encrypted.pem') },
  /** CN=stranger (clientAuth), signed by otherCa. */
  stranger: { cert: pem('stranger.pem'), key: pem('stranger-key.pem') },
  /** Paths, for properties that name files. */
  files: {
    ca: path.join(TLS_FIXTURES_DIR, 'ca.pem'),
    otherCa: path.join(TLS_FIXTURES_DIR, 'other-ca.pem'),
    /** client-key-encrypted.pem followed by client.pem. */
    clientKeystore: path.join(TLS_FIXTURES_DIR, 'client-keystore.pem'),
  },
} as const;
