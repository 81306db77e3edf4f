import { defineService, type JsonValue } from '../define-service.js';
import { AkaraError } from '../errors.js';

/** Most problems one report lists. */
export const MAX_REPORTED_PROBLEMS = 100;

/**
 * `POST /akara.validate` checks that the body is well-formed XML (within the configured limits):
 * 200 with a small report, or 422 `application/problem+json` listing every problem's line, column and
 * message (up to 100).
 */
export default defineService({
  id: 'http://purl.org/akara/services/builtin/validate',
  path: '/akara.validate',
  method: 'POST',
  description: 'Checks that the request body is well-formed XML; 422 lists every problem with its line and column',
  handler: ({ body, requestId }, res, ctx): JsonValue => {
    const bytes = body ?? new Uint8Array(0);
    if (bytes.byteLength === 0) throw new AkaraError('AKR_ERR_XML_MALFORMED', { line: 1, column: 0, reason: 'the body is empty' });
    const problems = ctx.checkXml(bytes);
    if (problems.length === 0) return { wellFormed: true, bytes: bytes.byteLength };
    const first = problems[0]!;
    const code = 'AKR_ERR_XML_MALFORMED';
    res.status(422);
    res.header('content-type', 'application/problem+json');
    // The shape of every problem document (schemas/problem.ts), with the list of errors added.
    return {
      type: `urn:akara:error:${code}`,
      title: 'Unprocessable Content',
      status: 422,
      code,
      detail: new AkaraError(code, { line: first.line, column: first.column, reason: first.message }).message
        + (problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''),
      instance: '/akara.validate',
      requestId,
      line: first.line,
      column: first.column,
      errors: problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => ({ line: p.line, column: p.column, message: p.message })),
    };
  },
});
