import { ACCESS_LOG_FIELDS, postbackAccessLogFormat } from '../../lib/access-log-format';

describe('postbackAccessLogFormat', () => {
  const format = postbackAccessLogFormat().toString();

  test('is one JSON object of $context variables', () => {
    const parsed = JSON.parse(format) as Record<string, string>;
    expect(parsed).toEqual(ACCESS_LOG_FIELDS);
    for (const value of Object.values(parsed)) expect(value).toMatch(/^\$context\.[A-Za-z.]+$/);
  });

  test('logs the route template and the caller, never the path, query string, headers or body', () => {
    const parsed = JSON.parse(format) as Record<string, string>;
    expect(parsed.resourcePath).toBe('$context.resourcePath');
    expect(parsed.httpMethod).toBe('$context.httpMethod');
    expect(parsed.status).toBe('$context.status');
    expect(parsed.sourceIp).toBe('$context.identity.sourceIp');
    expect(format).not.toMatch(
      /\$context\.path\b|querystring|requestOverride|\$input|\$method\.request|\$request\.|token|authorization|header/i,
    );
  });
});
