import type { SecretConfig } from '../config';
import type { SecretSource } from '../ports';

/** The part of the Secrets Manager client the secret source needs (loaded lazily: literal secrets never pay for it). */
export interface SecretsManagerPort {
  getSecretString(secretId: string, versionStage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined>;
}

/** Default Secrets Manager access through the SDK, imported on first use only. */
export function sdkSecretsManager(): SecretsManagerPort {
  let sdk: Promise<typeof import('@aws-sdk/client-secrets-manager')> | undefined;
  let client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient | undefined;
  return {
    async getSecretString(secretId, versionStage) {
      sdk ??= import('@aws-sdk/client-secrets-manager');
      const { SecretsManagerClient, GetSecretValueCommand } = await sdk;
      client ??= new SecretsManagerClient({});
      try {
        const output = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage }));
        return output.SecretString;
      } catch (error) {
        // No previous version yet (never rotated): only the current one is accepted.
        if (versionStage === 'AWSPREVIOUS' && (error as { name?: string }).name === 'ResourceNotFoundException') {
          return undefined;
        }
        throw error;
      }
    },
  };
}

/** How soon after a fetch a credential that matched nothing may trigger a refetch. */
const MIN_REFRESH_INTERVAL_MS = 30_000;

/**
 * Creates the {@link SecretSource} for a configuration: a literal secret, Secrets
 * Manager (current and previous version, cached per container, refreshed after
 * `refreshSeconds` or, rate-limited, when a credential matched nothing), or none.
 *
 * @example
 * const source = createSecretSource({ kind: 'literal', value: 's3cret' });
 * await source.secrets(); // ['s3cret']
 */
export function createSecretSource(
  config: SecretConfig,
  secretsManager: () => SecretsManagerPort = sdkSecretsManager,
  clock: () => number = Date.now,
): SecretSource {
  if (config.kind === 'none') return { secrets: async () => [] };
  if (config.kind === 'literal') {
    const secrets = [config.value];
    return { secrets: async () => secrets };
  }
  let port: SecretsManagerPort | undefined;
  let cached: { secrets: readonly string[]; fetchedAt: number } | undefined;
  let inFlight: Promise<readonly string[]> | undefined;
  const fetchSecrets = (): Promise<readonly string[]> => {
    inFlight ??= (async () => {
      try {
        port ??= secretsManager();
        const [current, previous] = await Promise.all([
          port.getSecretString(config.secretArn, 'AWSCURRENT'),
          port.getSecretString(config.secretArn, 'AWSPREVIOUS'),
        ]);
        const secrets = [current, previous].filter((s): s is string => typeof s === 'string' && s.length > 0);
        cached = { secrets, fetchedAt: clock() };
        return secrets;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  return {
    async secrets() {
      if (cached && clock() - cached.fetchedAt < config.refreshSeconds * 1000) return cached.secrets;
      return fetchSecrets();
    },
    async refreshAfterMiss() {
      if (cached && clock() - cached.fetchedAt < MIN_REFRESH_INTERVAL_MS) return undefined;
      return fetchSecrets();
    },
  };
}
