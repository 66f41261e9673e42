/**
 * A loopback stand-in for AWS Secrets Manager's `GetSecretValue` (AWS JSON 1.1), with
 * the `AWSCURRENT` / `AWSPREVIOUS` staging labels and rotation, for the tests and the
 * benchmark. Point the unmodified handler at it with `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
import http from 'node:http';
import { listenOnLoopback, sendJson } from './loopback-server';

export interface SecretsManagerLocal {
  /** `http://127.0.0.1:<port>`: use as `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  readonly endpoint: string;
  /** The ARN of the one secret it holds: use as `POSTBACK_SECRET_ARN`. */
  readonly arn: string;
  /** `GetSecretValue` requests received, by staging label. */
  readonly requests: { AWSCURRENT: number; AWSPREVIOUS: number };
  requestCount(): number;
  /** Rotates: the current value becomes `AWSPREVIOUS`, `value` becomes `AWSCURRENT`. */
  rotate(value: string): void;
  /** The next `times` requests answer 500 (`InternalServiceError`). */
  failNext(times: number): void;
  close(): Promise<void>;
}

/**
 * @example
 * const sm = await startSecretsManagerLocal('s3cret');
 * env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.endpoint;
 * env.POSTBACK_SECRET_ARN = sm.arn;
 */
export async function startSecretsManagerLocal(initial: string, name = 'postback-secret'): Promise<SecretsManagerLocal> {
  const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
  let current = initial;
  let previous: string | undefined;
  let failures = 0;
  const requests = { AWSCURRENT: 0, AWSPREVIOUS: 0 };
  let total = 0;
  const send = (res: http.ServerResponse, status: number, body: unknown) =>
    sendJson(res, status, body, { 'content-type': 'application/x-amz-json-1.1' });
  const server = http.createServer((req, res) => {
    total++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        send(res, 500, { __type: 'InternalServiceError', message: 'injected fault' });
        return;
      }
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        send(res, 400, { __type: 'UnknownOperationException', message: `unsupported ${String(req.headers['x-amz-target'])}` });
        return;
      }
      let input: { SecretId?: string; VersionStage?: string } = {};
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        send(res, 400, { __type: 'SerializationException', message: 'bad JSON' });
        return;
      }
      const stage = input.VersionStage ?? 'AWSCURRENT';
      if (stage === 'AWSCURRENT' || stage === 'AWSPREVIOUS') requests[stage]++;
      const value = stage === 'AWSCURRENT' ? current : stage === 'AWSPREVIOUS' ? previous : undefined;
      if (input.SecretId !== arn || value === undefined) {
        send(res, 400, {
          __type: 'ResourceNotFoundException',
          message: `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
        });
        return;
      }
      send(res, 200, { ARN: arn, Name: name, SecretString: value, VersionStages: [stage], CreatedDate: 1767225600 });
    });
  });
  const { endpoint, close } = await listenOnLoopback(server);
  return {
    endpoint,
    arn,
    requests,
    requestCount: () => total,
    rotate(value) {
      previous = current;
      current = value;
    },
    failNext(times) {
      failures = times;
    },
    close,
  };
}
