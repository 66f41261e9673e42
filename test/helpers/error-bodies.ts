import { UNAVAILABLE_MESSAGE } from '../../lambda/http/middlewares';

/** The body of every 503 of the functions: the code, the generic message and the request id; nothing internal. */
export const UNAVAILABLE_BODY = { error: 'unavailable', message: UNAVAILABLE_MESSAGE, requestId: expect.any(String) };

/** The body of a 401. */
export const UNAUTHORIZED_BODY = { error: 'unauthorized', message: 'missing or wrong secret', requestId: expect.any(String) };

/**
 * An error body with these fields, plus the `message` of every error answer (any text unless
 * given) and the `requestId`.
 *
 * @example
 * expect(res.body).toEqual(errorBody({ error: 'invalid_json', message: 'body is not valid utf-8' }));
 */
export function errorBody(fields: Record<string, unknown>): Record<string, unknown> {
  return { message: expect.any(String), requestId: expect.any(String), ...fields };
}
