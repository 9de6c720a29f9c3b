// Interop check with Confluent's own Node.js clients: reads the first record of --in-topic (written by
// Factory Meter's Java serde) and prints it as one JSON line on stdout, then writes one NodeSample to
// --out-topic in Confluent's wire format for the Java side to read.
//
//   node interop.mjs --bootstrap-servers 127.0.0.1:9092 --schema-registry-url http://127.0.0.1:8081 \
//       --in-topic interop.java-to-node --out-topic interop.node-to-java [--timeout-ms 60000]
//
// Exit code 0 on success; on failure one line on stderr and exit code 1.

import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { AvroDeserializer, AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';

// stdout carries only the result line: the clients log through console.log/info/debug, which go to stderr.
console.log = console.info = console.debug = console.error;

const SAMPLE = {
  nodeId: 'node-js-1',
  clusterId: 'cluster-js',
  site: 'site-js',
  gpuModel: 'H100-SXM5-80GB',
  gpuCount: 8,
  timestamp: 1764151200000, // 2025-11-26T10:00:00Z
  intervalMs: 10000,
  powerWatts: 5600.5,
  energyJoules: null,
  temperatureC: 71.5,
  gpuUtilization: 0.875,
  usage: [{ tenantId: 'tenant-js', modelId: 'llama-3.1-8b', promptTokens: 1200, completionTokens: 3400 }],
};

async function main() {
  const { values: args } = parseArgs({
    options: {
      'bootstrap-servers': { type: 'string' },
      'schema-registry-url': { type: 'string' },
      'in-topic': { type: 'string' },
      'out-topic': { type: 'string' },
      'timeout-ms': { type: 'string', default: '60000' },
    },
  });
  for (const name of ['bootstrap-servers', 'schema-registry-url', 'in-topic', 'out-topic']) {
    if (!args[name]) throw new Error(`missing --${name}`);
  }
  const timeoutMs = Number(args['timeout-ms']);
  if (!(timeoutMs > 0)) throw new Error(`--timeout-ms must be a positive number, got ${args['timeout-ms']}`);
  setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);

  const registry = new SchemaRegistryClient({ baseURLs: [args['schema-registry-url']] });
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [args['bootstrap-servers']], logLevel: KafkaJS.logLevel.WARN } });

  const record = await firstRecord(kafka, args['in-topic']);
  const value = await new AvroDeserializer(registry, SerdeType.VALUE, {})
    .deserialize(args['in-topic'], record.value, record.headers);
  process.stdout.write(JSON.stringify({ key: record.key?.toString('utf8') ?? null, value }, jsonSafe) + '\n');

  // The serializer's autoRegisterSchemas registers a schema it infers from the message (a record
  // "Record1" whose numbers are ints and floats), not NodeSample's; so the .avsc is registered here
  // and the serializer told to use exactly that schema id.
  const schema = await readFile(new URL('../../schemas/NodeSample.avsc', import.meta.url), 'utf8');
  const subject = `${args['out-topic']}-value`;
  const id = await registry.register(subject, { schemaType: 'AVRO', schema });
  const serializer = new AvroSerializer(registry, SerdeType.VALUE, { autoRegisterSchemas: false, useSchemaId: id });
  const bytes = await serializer.serialize(args['out-topic'], SAMPLE);

  const producer = kafka.producer({ kafkaJS: { acks: -1 } });
  await producer.connect();
  try {
    await producer.send({ topic: args['out-topic'], messages: [{ key: SAMPLE.nodeId, value: bytes }] });
  } finally {
    await producer.disconnect();
  }
}

async function firstRecord(kafka, topic) {
  const consumer = kafka.consumer({
    kafkaJS: { groupId: `interop-${randomUUID()}`, fromBeginning: true, readUncommitted: false, autoCommit: false },
  });
  await consumer.connect();
  try {
    let received;
    const first = new Promise((resolve) => { received = resolve; });
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({ eachMessage: async ({ message }) => received(message) });
    return await first;
  } finally {
    await consumer.disconnect();
  }
}

// Longs may arrive as bigint and timestamps as Date, neither of which JSON.stringify writes as a number;
// a long beyond 2^53 becomes a string rather than a silently rounded number.
function jsonSafe(key, value) {
  const raw = this[key];
  if (raw instanceof Date) return raw.getTime();
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

function fail(e) {
  process.stderr.write(`interop.mjs failed: ${String(e?.message ?? e).replace(/\s+/g, ' ')}\n`);
  process.exit(1);
}

main().then(() => process.exit(0), fail);
