/**
 * Replaces `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias in
 * `lib/function-bundling.ts`). Lambda hands every function its role's credentials in
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, which is the first
 * provider the default chain tries; the rest of the chain (SSO, web identity, login,
 * process, ini files, instance metadata, with their STS/SSO clients) never applies there
 * and costs about 127 KB of bundle. Tests and the local run use the full default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type FromEnvInit = Parameters<typeof fromEnv>[0];

/** The credential provider the SDK clients build by default: environment variables only. */
export const defaultProvider = (init?: FromEnvInit) => fromEnv(init);
