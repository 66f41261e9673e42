import type { PostbackFormat } from './domain/event-detail';
import type { ValidationDetail } from './domain/validate';

/**
 * Errors that reach the HTTP layer. Each carries the status and the JSON body the
 * sender sees; `expose` is false for 5xx, whose body never names internals.
 * They are mapped to responses in one place: `errorResponder` in `http/middlewares.ts`.
 */
export abstract class HttpError extends Error {
  abstract readonly statusCode: number;
  abstract readonly errorCode: string;
  /** Whether the body tells the caller the message (`{ error, message }`), not the code alone. */
  protected readonly messageInBody: boolean = false;
  get expose(): boolean {
    return this.statusCode < 500;
  }
  /** The JSON body sent to the caller. */
  body(): Record<string, unknown> {
    return this.messageInBody ? { error: this.errorCode, message: this.message } : { error: this.errorCode };
  }
}

/** An authenticated request refused for its content (400, 413, 415); kept as a `rejected` record. */
export abstract class RejectedInputError extends HttpError {}

export class UnauthorizedError extends HttpError {
  readonly statusCode = 401;
  readonly errorCode = 'unauthorized';
  constructor(message = 'missing or wrong secret') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** The error code of an unreadable body, per wire format. */
const UNREADABLE_CODE = { json: 'invalid_json', xml: 'invalid_xml' } as const satisfies Record<PostbackFormat, string>;

/**
 * A body that cannot be read in its format (400, `invalid_json` or `invalid_xml`, with the
 * message): bytes not valid in the declared charset, an empty body, JSON that is not one
 * object, or XML that is not one well-formed `<postback>` element (or has a DTD, entities
 * or external references).
 *
 * @example
 * new UnreadableBodyError('xml', 'body is empty').body(); // { error: 'invalid_xml', message: 'body is empty' }
 */
export class UnreadableBodyError extends RejectedInputError {
  readonly statusCode = 400;
  readonly errorCode: (typeof UNREADABLE_CODE)[PostbackFormat];
  protected override readonly messageInBody = true;
  constructor(
    readonly format: PostbackFormat,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UnreadableBodyError';
    this.errorCode = UNREADABLE_CODE[format];
  }
}

export class ValidationFailedError extends RejectedInputError {
  readonly statusCode = 400;
  readonly errorCode = 'validation_failed';
  constructor(readonly details: readonly ValidationDetail[]) {
    super(`postback failed validation: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`);
    this.name = 'ValidationFailedError';
  }
  override body() {
    return { error: this.errorCode, details: this.details };
  }
}

export class PayloadTooLargeError extends RejectedInputError {
  readonly statusCode = 413;
  readonly errorCode = 'payload_too_large';
  constructor(
    readonly bytes: number,
    limit: number,
  ) {
    super(`body of ${bytes} bytes exceeds ${limit} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends RejectedInputError {
  readonly statusCode = 415;
  readonly errorCode = 'unsupported_media_type';
  protected override readonly messageInBody = true;
  constructor(readonly contentType: string | undefined) {
    super(
      `content type ${contentType === undefined ? '(none)' : JSON.stringify(contentType)} is neither JSON (application/json) nor XML (application/xml, text/xml)`,
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** The declared `charset` is not one the service can decode (415, with a message naming it). */
export class UnsupportedCharsetError extends RejectedInputError {
  readonly statusCode = 415;
  readonly errorCode = 'unsupported_media_type';
  protected override readonly messageInBody = true;
  constructor(readonly charset: string) {
    super(`charset ${JSON.stringify(charset)} is not supported (for example utf-8, iso-8859-1 or us-ascii)`);
    this.name = 'UnsupportedCharsetError';
  }
}

/** DynamoDB or Secrets Manager failed, the invocation ran out of time, or a concurrent write of the same message got in the way: the sender should retry. */
export class UnavailableError extends HttpError {
  readonly statusCode = 503;
  readonly errorCode = 'unavailable';
  constructor(
    message: string,
    readonly reason: 'store' | 'secret' | 'conflict' | 'deadline',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}

/** A read-side request with a bad parameter (query API). */
export class BadRequestError extends HttpError {
  readonly statusCode = 400;
  protected override readonly messageInBody = true;
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadRequestError';
  }
}

export class NotFoundError extends HttpError {
  readonly statusCode = 404;
  readonly errorCode = 'not_found';
  constructor(message = 'not found') {
    super(message);
    this.name = 'NotFoundError';
  }
}
