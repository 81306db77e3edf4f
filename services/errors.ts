import { ERROR_CODES, isErrorCode, type ErrorCode, type ErrorDetail, type WireError } from '../schemas/error-codes.js';

function fill(template: string, detail: ErrorDetail): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = detail[name];
    return value === undefined ? whole : String(value);
  });
}

/**
 * An error with a stable `code` from the error table. Throw it anywhere; the error handler turns it into
 * `application/problem+json` with the code's status.
 *
 * @example
 * throw new AkaraError('AKR_ERR_PARAM_MISSING', { param: 'select' })
 */
export class AkaraError extends Error {
  readonly code: ErrorCode;
  readonly detail: ErrorDetail;
  readonly status: number;

  constructor(code: ErrorCode, detail: ErrorDetail = {}, options?: { cause?: unknown; message?: string; status?: number }) {
    super(options?.message ?? fill(ERROR_CODES[code].message, detail), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AkaraError';
    this.code = code;
    this.detail = detail;
    this.status = options?.status ?? ERROR_CODES[code].status;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message, detail: this.detail };
    if (this.status !== ERROR_CODES[this.code].status) wire.status = this.status;
    return wire;
  }

  static fromWire(wire: WireError): AkaraError {
    const err = new AkaraError(wire.code, wire.detail ?? {}, { message: wire.message, status: wire.status });
    if (wire.stack) err.stack = wire.stack;
    return err;
  }
}

/**
 * What a service handler throws to refuse a request with a 4xx of its choosing.
 *
 * @example
 * throw serviceError(422, 'The catalog has no records')
 */
export function serviceError(status: number, reason: string): AkaraError {
  if (!Number.isInteger(status) || status < 400 || status > 499) {
    throw new TypeError(`serviceError status must be a 4xx code, got ${status}`);
  }
  return new AkaraError('AKR_ERR_SERVICE_REJECTED', { reason }, { status });
}

/** Turns anything thrown into wire data; errors that are not AkaraErrors become `fallback`. */
export function toWireError(err: unknown, fallback: ErrorCode, detail: ErrorDetail = {}): WireError {
  if (err instanceof AkaraError) return err.toWire();
  const wire = new AkaraError(fallback, detail).toWire();
  if (err instanceof Error) wire.stack = err.stack ?? `${err.name}: ${err.message}`;
  else wire.stack = String(err);
  return wire;
}

export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && isErrorCode((value as { code?: unknown }).code);
}
