import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretConfig } from '../config';
import { untilDeadline } from '../platform/deadline';
import type { SecretSource } from '../ports';

/** The part of Secrets Manager the secret source needs (created lazily: literal secrets never pay for a client). */
export interface SecretsManagerPort {
  getSecretString(secretId: string, versionStage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined>;
}

/**
 * Secrets Manager's `GetSecretValue` through an AWS SDK v3 client; a secret that was never
 * rotated has no `AWSPREVIOUS` version, which is not an error.
 *
 * A fetch is shared by every invocation that waits for it (it starts during init), so it
 * is bounded by the client's timeouts, not by one invocation's deadline; each invocation
 * waits for it only as long as its own time allows (see `createSecretSource`).
 *
 * @example
 * const port = secretsManagerPort(new SecretsManagerClient(awsClientConfig({ region })));
 */
export function secretsManagerPort(client: Pick<SecretsManagerClient, 'send'>): SecretsManagerPort {
  return {
    async getSecretString(secretId, versionStage) {
      try {
        const output = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage }));
        return output.SecretString;
      } catch (error) {
        if (versionStage === 'AWSPREVIOUS' && error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
  };
}

/** How soon after a full fetch a credential that matched nothing may trigger another one. */
const MIN_REFRESH_INTERVAL_MS = 30_000;

/**
 * Creates the {@link SecretSource} for a configuration: a literal secret, Secrets
 * Manager, or none.
 *
 * With Secrets Manager, the current version is fetched as soon as the source is created
 * (during the function's init, off the first request's clock) and cached for
 * `refreshSeconds`. The previous version is fetched only when a presented credential
 * matches nothing: that fetch takes both versions again, so a rotation is seen at once,
 * and is rate-limited so that wrong credentials cannot hammer Secrets Manager. An
 * invocation waits for a fetch only while its own time allows (`options`, see `untilDeadline`).
 *
 * @example
 * const source = createSecretSource({ kind: 'literal', value: 's3cret' });
 * await source.secrets(); // ['s3cret']
 */
export function createSecretSource(
  config: SecretConfig,
  secretsManager?: () => SecretsManagerPort,
  clock: () => number = Date.now,
): SecretSource {
  if (config.kind === 'none') return { secrets: async () => [] };
  if (config.kind === 'literal') {
    const secrets = [config.value];
    return { secrets: async () => secrets };
  }
  if (!secretsManager) throw new TypeError('createSecretSource needs Secrets Manager access for a secret ARN');
  let port: SecretsManagerPort | undefined;
  const get = (stage: 'AWSCURRENT' | 'AWSPREVIOUS') => {
    port ??= secretsManager();
    return port.getSecretString(config.secretArn, stage);
  };
  const present = (values: readonly (string | undefined)[]) =>
    values.filter((value): value is string => typeof value === 'string' && value.length > 0);

  let current: { promise: Promise<readonly string[]>; fetchedAt: number } | undefined;
  let full: { promise: Promise<readonly string[]>; fetchedAt: number } | undefined;
  const fetchCurrent = () => {
    const promise = get('AWSCURRENT').then((value) => present([value]));
    current = { promise, fetchedAt: clock() };
    full = undefined;
    // A failed fetch is not cached: the next request tries again.
    promise.catch(() => {
      if (current?.promise === promise) current = undefined;
    });
    return promise;
  };
  const fetchBoth = () => {
    const promise = Promise.all([get('AWSCURRENT'), get('AWSPREVIOUS')]).then(present);
    const fetchedAt = clock();
    full = { promise, fetchedAt };
    current = { promise, fetchedAt };
    promise.catch(() => {
      if (full?.promise === promise) full = current = undefined;
    });
    return promise;
  };
  // Prefetch during init; a failure is kept out of the cache (see above) and retried by the first request.
  void fetchCurrent();

  return {
    secrets(options) {
      if (current && clock() - current.fetchedAt < config.refreshSeconds * 1000) return untilDeadline(current.promise, options);
      return untilDeadline(fetchCurrent(), options);
    },
    async refreshAfterMiss(options) {
      if (full && clock() - full.fetchedAt < MIN_REFRESH_INTERVAL_MS) return undefined;
      return untilDeadline(fetchBoth(), options);
    },
  };
}
