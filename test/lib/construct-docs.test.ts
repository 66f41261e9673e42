import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Construct } from 'constructs';
import type { MmsPostbackReceiver, MmsPostbackReceiverProps } from '../../lib/mms-postback-receiver';

// docs/construct.md documents every prop and every public member of the construct. These
// lists are exhaustive by type: a prop or member added to (or removed from) the construct
// fails the typecheck here until it is listed, and then this test until it is documented.
const PROPS: Record<keyof MmsPostbackReceiverProps, true> = {
  apiType: true,
  secret: true,
  secretName: true,
  allowedSourceCidrs: true,
  throttlingRateLimit: true,
  throttlingBurstLimit: true,
  historyRetentionDays: true,
  rejectedRetentionDays: true,
  archiveRetentionDays: true,
  eventSource: true,
  eventBus: true,
  eventBusName: true,
  alarmTopic: true,
  tracing: true,
  removalPolicy: true,
  functionTimeout: true,
  publisherBatchSize: true,
  publisherMaxBatchingWindow: true,
  publisherRetryAttempts: true,
  retryAfterSeconds: true,
  memorySize: true,
  sourceMaps: true,
  logRetention: true,
  stageName: true,
  serviceName: true,
  schemaRegistryName: true,
  apiGatewayCloudWatchRole: true,
  reservedConcurrency: true,
  warmThroughput: true,
  statusUnknownAfter: true,
  outputs: true,
  settingHint: true,
};

const MEMBERS: Record<Exclude<keyof MmsPostbackReceiver, keyof Construct>, true> = {
  table: true,
  eventBus: true,
  archive: true,
  schemaRegistry: true,
  secret: true,
  statusUnknownSweep: true,
  ingestFunction: true,
  queryFunction: true,
  publisher: true,
  publisherFunction: true,
  api: true,
  restApi: true,
  httpApi: true,
  apiStage: true,
  accessLogGroup: true,
  alarmTopic: true,
  alarms: true,
  dashboard: true,
  eventSource: true,
  postbackUrl: true,
  queryUrl: true,
  onPostback: true,
  eventPattern: true,
};

const DOC = readFileSync(path.join(__dirname, '..', '..', 'docs', 'construct.md'), 'utf8');

/** The first-column names of the table under a heading (`| \`name\` |` or `| \`name(…)\` |`). */
function tableNames(heading: string): string[] {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`docs/construct.md has no section "${heading}"`);
  const end = DOC.indexOf('\n## ', start + 1);
  const section = DOC.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([A-Za-z]+)[(`]/gm)].map((match) => match[1] as string);
}

describe('docs/construct.md', () => {
  test('documents every prop, and no prop that does not exist', () => {
    expect(tableNames('Props').sort()).toEqual(Object.keys(PROPS).sort());
  });

  test('documents every public member, and no member that does not exist', () => {
    expect(tableNames('What the construct exposes').sort()).toEqual(Object.keys(MEMBERS).sort());
  });
});
