import { ENV, ingestEnvironment, publisherEnvironment, queryEnvironment, sweepEnvironment } from '../../lambda/config-contract';
import { functionEnvironments } from '../../local/local-run';

const OPTIONS = { tableName: 't', secret: 's', eventBusName: 'b', eventSource: 'mms.test', statusUnknownAfterSeconds: 600 };

describe('functionEnvironments: each local function runs with its own environment, as the construct builds it', () => {
  it("is each contract builder's environment for the options", () => {
    const environments = functionEnvironments(OPTIONS, {});
    expect(environments).toEqual({
      ingest: ingestEnvironment({ tableName: 't', secret: { value: 's' }, statusUnknownAfterSeconds: 600 }),
      query: queryEnvironment({ tableName: 't' }),
      publisher: publisherEnvironment({ eventBusName: 'b', eventSource: 'mms.test' }),
      'status-unknown-sweep': sweepEnvironment({ tableName: 't', statusUnknownAfterSeconds: 600 }),
    });
  });

  it('gives no function what only another reads: the secret only to the ingest, the bus only to the publisher', () => {
    const environments = functionEnvironments(OPTIONS, {});
    expect(Object.keys(environments.query)).not.toContain(ENV.secretValue);
    expect(Object.keys(environments['status-unknown-sweep'])).not.toContain(ENV.secretValue);
    expect(Object.keys(environments.ingest)).not.toContain(ENV.eventBusName);
    expect(Object.keys(environments.publisher)).not.toContain(ENV.tableName);
    expect(environments['status-unknown-sweep'][ENV.statusUnknownAfterSeconds]).toBe('600');
  });

  it("takes the shell's value over a builder's default, never over what the options name", () => {
    const shell = { [ENV.retryAfterSeconds]: '1', [ENV.tableName]: 'from-shell', [ENV.historyRetentionDays]: '7' };
    const environments = functionEnvironments(OPTIONS, shell);
    expect(environments.ingest[ENV.retryAfterSeconds]).toBe('1');
    expect(environments.query[ENV.retryAfterSeconds]).toBe('1');
    expect(environments['status-unknown-sweep'][ENV.historyRetentionDays]).toBe('7');
    for (const environment of [environments.ingest, environments.query, environments['status-unknown-sweep']]) {
      expect(environment[ENV.tableName]).toBe('t');
    }
  });
});
