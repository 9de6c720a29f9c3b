// Example billing consumer outside the JVM, with Confluent's own Node.js clients: reads the
// compacted billing topic (read_committed), keeps the latest revision of every
// tenant|model|period line, and prints one JSON line of totals per tenant.
//
//   node billing-totals.mjs --bootstrap-servers 127.0.0.1:9092 --schema-registry-url http://127.0.0.1:8081 \
//       [--topic factory.billing.hourly] [--idle-ms 3000]
//
// Output, sorted by tenant:
//   {"tenantId":"tenant-01","lines":24,"promptTokens":…,"completionTokens":…,"energyKwh":…,"totalCost":…,
//    "currency":"USD","unpricedLines":0}
// totalCost sums the lines that have one; unpricedLines counts those that do not (no price known).
// Exit code 0 on success; on failure one line on stderr and exit code 1.

import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { AvroDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';

// stdout carries only the result lines: the clients log through console.log/info/debug, which go to stderr.
console.log = console.info = console.debug = console.error;

async function main() {
  const { values: args } = parseArgs({
    options: {
      'bootstrap-servers': { type: 'string' },
      'schema-registry-url': { type: 'string' },
      topic: { type: 'string', default: 'factory.billing.hourly' },
      'idle-ms': { type: 'string', default: '3000' },
    },
  });
  for (const name of ['bootstrap-servers', 'schema-registry-url']) {
    if (!args[name]) throw new Error(`missing --${name}`);
  }
  const idleMs = Number(args['idle-ms']);
  if (!(idleMs > 0)) throw new Error(`--idle-ms must be a positive number, got ${args['idle-ms']}`);

  const registry = new SchemaRegistryClient({ baseURLs: [args['schema-registry-url']] });
  const deserializer = new AvroDeserializer(registry, SerdeType.VALUE, {});
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [args['bootstrap-servers']], logLevel: KafkaJS.logLevel.WARN } });
  const consumer = kafka.consumer({
    kafkaJS: { groupId: `billing-totals-${randomUUID()}`, fromBeginning: true, readUncommitted: false, autoCommit: false },
  });

  const latest = new Map();   // key -> decoded line; later offsets win, as compaction keeps them
  let lastMessage = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [args.topic] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        lastMessage = Date.now();
        const key = message.key?.toString('utf8');
        if (message.value === null) {
          latest.delete(key);
        } else {
          latest.set(key, await deserializer.deserialize(args.topic, message.value, message.headers));
        }
      },
    });
    while (Date.now() - lastMessage < idleMs) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await consumer.disconnect();
  }

  const tenants = new Map();
  for (const line of latest.values()) {
    const t = tenants.get(line.tenantId) ?? {
      tenantId: line.tenantId, lines: 0, promptTokens: 0, completionTokens: 0, energyKwh: 0, totalCost: 0,
      currency: line.currency, unpricedLines: 0,
    };
    t.lines += 1;
    t.promptTokens += Number(line.promptTokens);
    t.completionTokens += Number(line.completionTokens);
    t.energyKwh += line.energyJ / 3.6e6;
    if (line.totalCost === null || line.totalCost === undefined) {
      t.unpricedLines += 1;
    } else {
      t.totalCost += line.totalCost;
    }
    tenants.set(line.tenantId, t);
  }
  for (const id of [...tenants.keys()].sort()) {
    process.stdout.write(JSON.stringify(tenants.get(id)) + '\n');
  }
}

function fail(e) {
  process.stderr.write(`billing-totals.mjs failed: ${String(e?.message ?? e).replace(/\s+/g, ' ')}\n`);
  process.exit(1);
}

main().then(() => process.exit(0), fail);
