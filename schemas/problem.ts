import type { ErrorCode } from './error-codes.js';

/** An error response body (RFC 9457 `application/problem+json`) with Akara's extension members. */
export interface Problem {
  /** `urn:akara:error:{code}` */
  type: string;
  title: string;
  status: number;
  /** The stable code to branch on. */
  code: ErrorCode;
  /** A message a person can act on. */
  detail: string;
  /** The request path. */
  instance: string;
  requestId: string;
  /** Where known: the parameter, method, service, limit... */
  [extension: string]: string | number | boolean | undefined;
}
