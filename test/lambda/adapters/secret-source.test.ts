/**
 * Secrets Manager is mocked with aws-sdk-client-mock: rotation stages cannot be forced
 * on a local endpoint, and this test is about which versions are accepted when.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createSecretSource } from '../../../lambda/adapters/secret-source';
import { matchesAny } from '../../../lambda/http/middlewares';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:postbacks-AbCdEf';
const sm = mockClient(SecretsManagerClient);

function versions(current: string, previous?: string) {
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: current });
  if (previous === undefined) {
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPREVIOUS' }).rejects(
      new ResourceNotFoundException({ message: 'no previous version', $metadata: {} }),
    );
  } else {
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: previous });
  }
}

describe('createSecretSource', () => {
  afterAll(() => sm.restore());

  it('accepts the current version when there is no previous one', async () => {
    versions('v1');
    const source = createSecretSource({ kind: 'secretsManager', secretArn: ARN, refreshSeconds: 300 });
    expect(await source.secrets()).toEqual(['v1']);
  });

  it('fetches the current version at creation (init) and caches it per container', async () => {
    versions('v1', 'v0');
    const source = createSecretSource({ kind: 'secretsManager', secretArn: ARN, refreshSeconds: 300 });
    await new Promise((resolve) => setTimeout(resolve, 20)); // no request has asked yet
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.VersionStage)).toEqual(['AWSCURRENT']);
    expect(await source.secrets()).toEqual(['v1']);
    expect(await source.secrets()).toEqual(['v1']);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('after a rotation accepts the new and the previous secret at once, but not an older one', async () => {
    let now = 1_000_000;
    versions('v1');
    const source = createSecretSource({ kind: 'secretsManager', secretArn: ARN, refreshSeconds: 300 }, undefined, () => now);
    expect(await source.secrets()).toEqual(['v1']);

    // Rotation: v2 becomes current, v1 previous. The provider switches to v2 a second later.
    versions('v2', 'v1');
    now += 1_000;
    expect(await source.secrets()).toEqual(['v1']); // still cached
    const refreshed = await source.refreshAfterMiss?.(); // v2 matched nothing
    expect(refreshed).toEqual(['v2', 'v1']);
    expect(matchesAny(['v2'], refreshed!)).toBe(true);
    expect(matchesAny(['v1'], refreshed!)).toBe(true);
    expect(await source.secrets()).toEqual(['v2', 'v1']);

    // A second rotation: v3 current, v2 previous. v1 is no longer accepted.
    versions('v3', 'v2');
    now += 301_000;
    const current = await source.secrets();
    expect(current).toEqual(['v3']);
    const afterMiss = await source.refreshAfterMiss?.(); // a sender still on v2
    expect(afterMiss).toEqual(['v3', 'v2']);
    expect(matchesAny(['v1'], afterMiss!)).toBe(false);
  });

  it('a sender still on the previous secret is accepted right after a cold start', async () => {
    versions('v2', 'v1');
    const source = createSecretSource({ kind: 'secretsManager', secretArn: ARN, refreshSeconds: 300 });
    expect(matchesAny(['v1'], await source.secrets())).toBe(false);
    expect(matchesAny(['v1'], (await source.refreshAfterMiss?.()) ?? [])).toBe(true);
  });

  it('rate-limits refetches caused by wrong credentials', async () => {
    let now = 5_000_000;
    versions('v1', 'v0');
    const source = createSecretSource({ kind: 'secretsManager', secretArn: ARN, refreshSeconds: 300 }, undefined, () => now);
    await source.refreshAfterMiss?.();
    const calls = sm.commandCalls(GetSecretValueCommand).length;
    expect(await source.refreshAfterMiss?.()).toBeUndefined();
    now += 10_000;
    expect(await source.refreshAfterMiss?.()).toBeUndefined();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(calls);
    now += 30_000;
    expect(await source.refreshAfterMiss?.()).toEqual(['v1', 'v0']);
  });

  it('does not cache a failed fetch: the next request tries again', async () => {
    sm.reset();
    sm.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'v1' });
    const source = createSecretSource({ kind: 'secretsManager', secretArn: ARN, refreshSeconds: 300 });
    await expect(source.secrets()).rejects.toThrow('throttled');
    expect(await source.secrets()).toEqual(['v1']);
  });

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
