// Standalone broker for manual use:
//   node --import tsx test/support/kafka/main.ts [--port 9092] [--partitions 3] [--topic name:partitions ...]
//     [--sasl-user name:password ... [--sasl-mechanism PLAIN|SCRAM-SHA-256|SCRAM-SHA-512 ...]]
//     [--tls-cert broker.pem --tls-key broker-key.pem [--ssl-client-auth required|requested --tls-ca ca.pem]]
//     [--advertised-host name]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startKafka } from './index.ts';
import type { ClientAuth, SaslMechanismName, TlsConfig } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9092' },
    partitions: { type: 'string', default: '1' },
    topic: { type: 'string', multiple: true, default: [] },
    'sasl-user': { type: 'string', multiple: true, default: [] },
    'sasl-mechanism': { type: 'string', multiple: true, default: [] },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-ca': { type: 'string' },
    'ssl-client-auth': { type: 'string', default: 'none' },
    'advertised-host': { type: 'string' },
  },
});

const MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const users: Record<string, string> = {};
for (const spec of values['sasl-user']) {
  const at = spec.indexOf(':');
  if (at <= 0) throw new Error(`bad --sasl-user ${spec}; expected name:password`);
  users[spec.slice(0, at)] = spec.slice(at + 1);
}
const mechanisms = values['sasl-mechanism'].length > 0 ? values['sasl-mechanism'] : MECHANISMS;
for (const m of mechanisms) if (!MECHANISMS.includes(m as SaslMechanismName)) throw new Error(`bad --sasl-mechanism ${m}; expected one of ${MECHANISMS.join(', ')}`);
const sasl = values['sasl-user'].length > 0 ? { mechanisms: mechanisms as SaslMechanismName[], users } : undefined;

const CLIENT_AUTH: readonly ClientAuth[] = ['none', 'requested', 'required'];
const clientAuth = values['ssl-client-auth'] as ClientAuth;
if (!CLIENT_AUTH.includes(clientAuth)) throw new Error(`bad --ssl-client-auth ${clientAuth}; expected one of ${CLIENT_AUTH.join(', ')}`);
const certFile = values['tls-cert'];
const keyFile = values['tls-key'];
if ((certFile === undefined) !== (keyFile === undefined)) throw new Error('--tls-cert and --tls-key go together');
const caFile = values['tls-ca'];
const tls: TlsConfig | undefined =
  certFile === undefined || keyFile === undefined
    ? undefined
    : { cert: readFileSync(certFile), key: readFileSync(keyFile), clientAuth, ca: caFile === undefined ? undefined : readFileSync(caFile) };

const topics: Record<string, number> = {};
for (const spec of values.topic) {
  const [name, count] = spec.split(':');
  if (name === undefined || name === '') throw new Error(`bad --topic ${spec}; expected name[:partitions]`);
  topics[name] = Number(count ?? values.partitions);
}

const broker = await startKafka({ port: Number(values.port), partitions: Number(values.partitions), topics, sasl, tls, advertisedHost: values['advertised-host'] });
const details = [broker.securityProtocol, ...(sasl ? [sasl.mechanisms.join(', ')] : []), ...(tls ? [`ssl.client.auth=${clientAuth}`] : [])];
console.log(`kafka test broker listening on ${broker.brokers.join(',')} (${details.join('; ')})`);

const shutdown = (): void => {
  broker.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
