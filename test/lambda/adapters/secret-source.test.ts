/**
 * The secret source against a loopback Secrets Manager (`stand-ins/secrets-manager.ts`)
 * that keeps AWSCURRENT / AWSPREVIOUS and rotates like the service, through the AWS SDK
 * client configured as the function configures it.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretSource, secretsManagerPort } from '../../../lambda/adapters/secret-source';
import { matchesAny } from '../../../lambda/http/middlewares';
import { awsClientConfig } from '../../../lambda/platform/aws-clients';
import { type SecretsManagerLocal, startSecretsManagerLocal } from '../../../stand-ins/secrets-manager';

let sm: SecretsManagerLocal;
let clients: SecretsManagerClient[] = [];
beforeEach(async () => {
  sm = await startSecretsManagerLocal('v1');
});
afterEach(async () => {
  for (const client of clients) client.destroy();
  clients = [];
  await sm.close();
});

function source(clock?: () => number) {
  const port = () => {
    const client = new SecretsManagerClient({ ...awsClientConfig({ region: 'us-east-1' }), endpoint: sm.endpoint });
    clients.push(client);
    return secretsManagerPort(client);
  };
  return createSecretSource({ kind: 'secretsManager', secretArn: sm.arn, refreshSeconds: 300 }, port, clock);
}

/** Waits until the stand-in has received `count` requests (the prefetch runs on its own, before any request asks). */
async function requestsReceived(count: number): Promise<void> {
  for (let waited = 0; sm.requestCount() < count && waited < 10_000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('createSecretSource with Secrets Manager', () => {
  it('fetches the current version during init, once, and caches it per container', async () => {
    const secrets = source();
    await requestsReceived(1); // no request has asked yet
    expect(sm.requests).toEqual({ AWSCURRENT: 1, AWSPREVIOUS: 0 });
    expect(await secrets.secrets()).toEqual(['v1']);
    expect(await secrets.secrets()).toEqual(['v1']);
    expect(sm.requestCount()).toBe(1);
  });

  it('accepts the current version alone when the secret was never rotated', async () => {
    const secrets = source();
    expect(await secrets.refreshAfterMiss?.()).toEqual(['v1']);
  });

  it('after a rotation accepts the new and the previous secret at once, but not an older one', async () => {
    let now = 1_000_000;
    const secrets = source(() => now);
    expect(await secrets.secrets()).toEqual(['v1']);

    // Rotation: v2 becomes current, v1 previous. The provider switches to v2 a second later.
    sm.rotate('v2');
    now += 1_000;
    expect(await secrets.secrets()).toEqual(['v1']); // still cached
    const refreshed = await secrets.refreshAfterMiss?.(); // v2 matched nothing
    expect(refreshed).toEqual(['v2', 'v1']);
    expect(matchesAny(['v2'], refreshed!)).toBe(true);
    expect(matchesAny(['v1'], refreshed!)).toBe(true);
    expect(await secrets.secrets()).toEqual(['v2', 'v1']);

    // A second rotation: v3 current, v2 previous. v1 is no longer accepted.
    sm.rotate('v3');
    now += 301_000;
    expect(await secrets.secrets()).toEqual(['v3']);
    const afterMiss = await secrets.refreshAfterMiss?.(); // a sender still on v2
    expect(afterMiss).toEqual(['v3', 'v2']);
    expect(matchesAny(['v1'], afterMiss!)).toBe(false);
  });

  it('accepts a sender still on the previous secret right after a cold start', async () => {
    sm.rotate('v2');
    const secrets = source();
    expect(matchesAny(['v1'], await secrets.secrets())).toBe(false);
    expect(matchesAny(['v1'], (await secrets.refreshAfterMiss?.()) ?? [])).toBe(true);
  });

  it('rate-limits refetches caused by wrong credentials', async () => {
    let now = 5_000_000;
    const secrets = source(() => now);
    await secrets.refreshAfterMiss?.();
    const calls = sm.requestCount();
    expect(await secrets.refreshAfterMiss?.()).toBeUndefined();
    now += 10_000;
    expect(await secrets.refreshAfterMiss?.()).toBeUndefined();
    expect(sm.requestCount()).toBe(calls);
    now += 30_000;
    expect(await secrets.refreshAfterMiss?.()).toEqual(['v1']);
  });

  it('does not cache a failed fetch: the next request tries again', async () => {
    sm.failNext(3); // more than the client's attempts
    const secrets = source();
    await expect(secrets.secrets()).rejects.toMatchObject({ name: 'InternalServiceError', $metadata: { attempts: 3 } });
    expect(await secrets.secrets()).toEqual(['v1']);
  });
});

describe('createSecretSource without Secrets Manager', () => {
  it('serves a literal secret, and nothing when none is configured', async () => {
    expect(await createSecretSource({ kind: 'literal', value: 's' }).secrets()).toEqual(['s']);
    expect(await createSecretSource({ kind: 'none' }).secrets()).toEqual([]);
  });
});

describe('matchesAny', () => {
  it('compares whole secrets, whatever their lengths', () => {
    expect(matchesAny(['secret'], ['secret'])).toBe(true);
    expect(matchesAny(['secre'], ['secret'])).toBe(false);
    expect(matchesAny(['secretx'], ['secret'])).toBe(false);
    expect(matchesAny(['xxxxxx'], ['secret'])).toBe(false);
    expect(matchesAny([], ['secret'])).toBe(false);
    expect(matchesAny(['a', 'secret'], ['other', 'secret'])).toBe(true);
  });
});
