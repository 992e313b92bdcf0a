// The server side of the SASL mechanisms this broker offers, as Kafka's PlainSaslServer and
// ScramSaslServer behave, messages included. Each connection gets its own exchange.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export type SaslMechanismName = 'PLAIN' | ScramMechanism;
type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** The digest of each SCRAM mechanism and its output length. */
const DIGEST: Readonly<Record<ScramMechanism, { hash: 'sha256' | 'sha512'; bytes: number }>> = {
  'SCRAM-SHA-256': { hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', bytes: 64 },
};

/** What the broker was started with: the listener's mechanisms and its users' passwords. */
export interface SaslConfig {
  readonly mechanisms: readonly SaslMechanismName[];
  readonly users: Readonly<Record<string, string>>;
}

/**
 * Authentication failed. `message` is what Kafka tells the client: its own message for a
 * SaslAuthenticationException, a generic one naming the mechanism for any other SaslException.
 */
export class SaslFailure extends Error {}

export interface SaslExchange {
  /** The next challenge, and whether the client is authenticated with it; throws SaslFailure. */
  evaluate(token: Buffer): { challenge: Buffer; complete: boolean };
}

export function newExchange(mechanism: SaslMechanismName, credentials: ScramCredentials): SaslExchange {
  return mechanism === 'PLAIN' ? new PlainExchange(credentials.passwords) : new ScramExchange(mechanism, credentials);
}

const generic = (mechanism: SaslMechanismName) => new SaslFailure(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`);

/** RFC 4616: [authzid] NUL authcid NUL passwd. */
class PlainExchange implements SaslExchange {
  constructor(private readonly passwords: ReadonlyMap<string, string>) {}

  evaluate(token: Buffer): { challenge: Buffer; complete: boolean } {
    const tokens = token.toString('utf8').split('\u0000');
    // Kafka: "Invalid SASL/PLAIN response: expected 3 tokens", a SaslException, so the client sees the generic message.
    if (tokens.length !== 3) throw generic('PLAIN');
    const [authzid, username, password] = tokens as [string, string, string];
    if (username === '') throw new SaslFailure('Authentication failed: username not specified');
    if (password === '') throw new SaslFailure('Authentication failed: password not specified');
    const expected = this.passwords.get(username);
    if (expected === undefined || !equal(Buffer.from(expected), Buffer.from(password))) throw new SaslFailure('Authentication failed: Invalid username or password');
    if (authzid !== '' && authzid !== username) throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username');
    return { challenge: Buffer.alloc(0), complete: true };
  }
}

/** What Kafka stores per SCRAM user and mechanism (kafka-configs --add-config 'SCRAM-SHA-256=[...]'): never the password. */
interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

/** Kafka's minimum (and kafka-configs' default) iteration count. */
const ITERATIONS = 4096;

export class ScramCredentials {
  readonly passwords: ReadonlyMap<string, string>;
  private readonly scram = new Map<string, ScramCredential>();

  constructor(users: Readonly<Record<string, string>>, mechanisms: readonly SaslMechanismName[]) {
    this.passwords = new Map(Object.entries(users));
    for (const mechanism of mechanisms) {
      if (mechanism === 'PLAIN') continue;
      const { hash, bytes } = DIGEST[mechanism];
      for (const [user, password] of this.passwords) {
        const salt = randomBytes(16);
        const salted = pbkdf2Sync(password, salt, ITERATIONS, bytes, hash);
        this.scram.set(`${mechanism}/${user}`, { salt, storedKey: digest(hash, hmac(hash, salted, 'Client Key')), serverKey: hmac(hash, salted, 'Server Key'), iterations: ITERATIONS });
      }
    }
  }

  get(mechanism: ScramMechanism, user: string): ScramCredential | undefined {
    return this.scram.get(`${mechanism}/${user}`);
  }
}

const CLIENT_FIRST = /^n,(?:a=([^,]*))?,(n=([^,]*),r=([^,]*)(?:,.*)?)$/;
const CLIENT_FINAL = /^(c=([^,]*),r=([^,]*)(?:,[^p][^,]*)*),p=([^,]*)$/;

/** RFC 5802 (SHA-256: RFC 7677), channel binding "n", as Kafka's ScramSaslServer. */
class ScramExchange implements SaslExchange {
  private step: 'client-first' | 'client-final' | 'done' = 'client-first';
  private credential: ScramCredential | undefined;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  private readonly hash: 'sha256' | 'sha512';

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly credentials: ScramCredentials,
  ) {
    this.hash = DIGEST[mechanism].hash;
  }

  evaluate(token: Buffer): { challenge: Buffer; complete: boolean } {
    const message = token.toString('utf8');
    if (this.step === 'client-first') {
      const m = CLIENT_FIRST.exec(message);
      if (!m) throw generic(this.mechanism);
      const [, authzid, bare, saslName, clientNonce] = m as unknown as [string, string | undefined, string, string, string];
      const username = saslName.replaceAll('=2C', ',').replaceAll('=3D', '=');
      this.credential = this.credentials.get(this.mechanism, username);
      if (!this.credential) throw generic(this.mechanism);
      if (authzid !== undefined && authzid !== '' && authzid !== username) throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username');
      this.clientFirstBare = bare;
      this.nonce = clientNonce + randomBytes(18).toString('base64');
      this.serverFirst = `r=${this.nonce},s=${this.credential.salt.toString('base64')},i=${this.credential.iterations}`;
      this.step = 'client-final';
      return { challenge: Buffer.from(this.serverFirst), complete: false };
    }
    if (this.step !== 'client-final' || !this.credential) throw generic(this.mechanism);
    const m = CLIENT_FINAL.exec(message);
    if (!m) throw generic(this.mechanism);
    const [, withoutProof, , nonce, proof] = m as unknown as [string, string, string, string, string];
    if (nonce !== this.nonce) throw generic(this.mechanism);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.hash, this.credential.storedKey, authMessage);
    const proofBytes = Buffer.from(proof, 'base64');
    if (proofBytes.length !== signature.length) throw generic(this.mechanism);
    const clientKey = Buffer.from(proofBytes.map((b, i) => b ^ signature[i]!));
    if (!equal(digest(this.hash, clientKey), this.credential.storedKey)) throw generic(this.mechanism);
    this.step = 'done';
    return { challenge: Buffer.from(`v=${hmac(this.hash, this.credential.serverKey, authMessage).toString('base64')}`), complete: true };
  }
}

function hmac(hash: string, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data).digest();
}

function digest(hash: string, data: Buffer): Buffer {
  return createHash(hash).update(data).digest();
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
