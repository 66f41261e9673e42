import type { ValidationDetail } from './domain/validate';

/**
 * Errors that reach the HTTP layer. Each carries the status and the JSON body the
 * sender sees; `expose` is false for 5xx, whose body never names internals.
 * They are mapped to responses in one place: `errorResponder` in `http/middlewares.ts`.
 */
export abstract class HttpError extends Error {
  abstract readonly statusCode: number;
  abstract readonly errorCode: string;
  get expose(): boolean {
    return this.statusCode < 500;
  }
  /** The JSON body sent to the caller. */
  body(): Record<string, unknown> {
    return { error: this.errorCode };
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

export class InvalidJsonError extends RejectedInputError {
  readonly statusCode = 400;
  readonly errorCode = 'invalid_json';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidJsonError';
  }
  override body() {
    return { error: this.errorCode, message: this.message };
  }
}

/** An XML body that is not one well-formed `<postback>` element, or that has a DTD, entities or external references. */
export class InvalidXmlError extends RejectedInputError {
  readonly statusCode = 400;
  readonly errorCode = 'invalid_xml';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidXmlError';
  }
  override body() {
    return { error: this.errorCode, message: this.message };
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
  constructor(readonly charset: string) {
    super(`charset ${JSON.stringify(charset)} is not supported (for example utf-8, iso-8859-1 or us-ascii)`);
    this.name = 'UnsupportedCharsetError';
  }
  override body() {
    return { error: this.errorCode, message: this.message };
  }
}

/** DynamoDB, EventBridge or Secrets Manager failed, the invocation ran out of time, or the same postback is still in progress: the sender should retry. */
export class UnavailableError extends HttpError {
  readonly statusCode = 503;
  readonly errorCode = 'unavailable';
  constructor(
    message: string,
    readonly reason: 'store' | 'publish' | 'secret' | 'in_progress' | 'deadline',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}

/** A read-side request with a bad parameter (query API). */
export class BadRequestError extends HttpError {
  readonly statusCode = 400;
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadRequestError';
  }
  override body() {
    return { error: this.errorCode, message: this.message };
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
