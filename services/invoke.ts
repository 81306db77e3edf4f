import type { InvokeResult } from '../schemas/wire.js';
import { encodeBody } from './body.js';
import type { ServiceContext } from './context.js';
import type { ServiceDefinition, ServiceRequest } from './define-service.js';
import { AkaraError } from './errors.js';

/** Runs a service's handler for a request and encodes its answer: status, headers (Content-Type set), bytes. */
export async function invokeService(definition: ServiceDefinition, request: ServiceRequest, ctx: ServiceContext): Promise<InvokeResult> {
  const handler = definition.handlers[request.method];
  if (!handler) throw new AkaraError('AKR_ERR_SERVICE_UNKNOWN', { service: `${definition.descriptor.id} (${request.method})` });
  let status = 200;
  const headers = new Map<string, string>();
  const body = await handler(request, {
    status(code) {
      if (!Number.isInteger(code) || code < 200 || code > 599) throw new TypeError(`status ${code} is not an HTTP status from 200 to 599`);
      status = code;
    },
    header(name, value) {
      headers.set(name.toLowerCase(), String(value));
    },
  }, ctx);
  const { bytes, inferredType } = encodeBody(body);
  if (!headers.has('content-type')) {
    const type = definition.descriptor.contentType ?? inferredType;
    if (type !== undefined) headers.set('content-type', type);
  }
  const result: InvokeResult = { status, headers: [...headers], body: bytes };
  // What the master needs to answer If-None-Match by itself while nothing changed.
  if (headers.has('etag') && ctx.dependencies.length > 0) result.dependencies = [...ctx.dependencies];
  return result;
}
