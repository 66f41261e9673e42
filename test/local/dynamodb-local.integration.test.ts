import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { createTableInput, TABLE_DEFINITION } from '../../lambda/table/table-definition';
import { ensureTable, localDynamoDbClient, startDynamoDbLocal } from '../../local/dynamodb-local';
import { findFreePort, portInUse } from '../../stand-ins/loopback-server';
import { createTestTable } from '../helpers/ddb-table';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('DynamoDB Local', () => {
  it('starts in memory, answers, and stop() leaves no process and no port behind', async () => {
    const ddb = await startDynamoDbLocal();
    const client = localDynamoDbClient(ddb.endpoint);
    try {
      expect(isAlive(ddb.pid)).toBe(true);
      await ensureTable(client, 'postbacks');
      await ensureTable(client, 'postbacks'); // idempotent

      const table = await client.send(new DescribeTableCommand({ TableName: 'postbacks' }));
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'postbacks' }));

      expect(table.Table?.TableStatus).toBe('ACTIVE');
      expect(table.Table?.KeySchema).toEqual(createTableInput('postbacks').KeySchema);
      // DescribeTable lists the indexes in no particular order.
      expect(table.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
        TABLE_DEFINITION.globalSecondaryIndexes.map((i) => i.indexName).sort(),
      );
      expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: TABLE_DEFINITION.timeToLiveAttribute });
    } finally {
      client.destroy();
      await ddb.stop();
    }

    expect(isAlive(ddb.pid)).toBe(false);
    expect(await portInUse(ddb.port)).toBeUndefined();
    const javaChildren = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter(([pid, ppid]) => pid === ddb.pid || ppid === ddb.pid);
    expect(javaChildren).toEqual([]);
    await ddb.stop(); // idempotent
  });

  it('gives a one-line error when the port is busy', async () => {
    const port = await findFreePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, resolve));
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(
        new RegExp(`^Port ${port} \\(DynamoDB Local\\) is already in use: [^\\n]+$`),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('gives a one-line error when Java is missing', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startDynamoDbLocal()).rejects.toThrow(/^Java not found: DynamoDB Local needs Java 17\+ on the PATH[^\n]*$/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe('the global DynamoDB Local of jest.global-setup.ts', () => {
  it('is reachable through AWS_ENDPOINT_URL_DYNAMODB and gives each test its own table', async () => {
    const a = await createTestTable('a');
    const b = await createTestTable('a');
    try {
      expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(a.tableName).not.toBe(b.tableName);
      const described = await a.client.send(new DescribeTableCommand({ TableName: a.tableName }));
      expect(described.Table?.TableStatus).toBe('ACTIVE');
    } finally {
      await a.drop();
      await b.drop();
    }
  });

  it('refuses a table left by an older version with another index layout (a persisted local run), saying how to start afresh', async () => {
    const table = await createTestTable('old');
    const name = `${table.tableName}-v0`;
    const old = createTableInput(name);
    await table.client.send(
      new CreateTableCommand({
        ...old,
        AttributeDefinitions: [...old.AttributeDefinitions.slice(0, 2), { AttributeName: 'clientReference', AttributeType: 'S' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byClientReference',
            KeySchema: [{ AttributeName: 'clientReference', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    try {
      await expect(ensureTable(table.client, name)).rejects.toThrow(
        new RegExp(
          `^table ${name} on DynamoDB Local was created by an older version with another index layout \\(has byClientReference\\(clientReference:HASH;ALL\\), needs .*\\): delete the persisted data \\(<LOCAL_DIR>/dynamodb\\) or start without --persist$`,
        ),
      );
    } finally {
      await table.client.send(new DeleteTableCommand({ TableName: name }));
      await table.drop();
    }
  });
});
