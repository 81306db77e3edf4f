import type { ServiceContext } from './context.js';
import type { ServiceRequest } from './define-service.js';
import { AkaraError } from './errors.js';

export interface SourceDocument {
  /** The document's URI: the one `@source` named, else the request's own URL below the public root. */
  uri: string;
  bytes: Uint8Array;
  validator?: string;
}

/**
 * The document a transform-style service works on: the request body, or the document `param` names
 * (fetched through the policy). Giving both is ambiguous and refused; giving neither is a missing param.
 */
export async function requestSource(req: ServiceRequest, ctx: ServiceContext, param = '@source'): Promise<SourceDocument> {
  const named = req.params[param] as string | undefined;
  const hasBody = req.body !== undefined && req.body.byteLength > 0;
  if (named !== undefined) {
    if (hasBody) throw new AkaraError('AKR_ERR_PARAM_INVALID', { param, expected: 'absent when the request has a body (send one or the other)' });
    const resource = await ctx.fetch(named);
    return { uri: resource.uri, bytes: resource.bytes, ...(resource.validator === undefined ? {} : { validator: resource.validator }) };
  }
  if (!hasBody) throw new AkaraError('AKR_ERR_PARAM_MISSING', { param });
  return { uri: ctx.publicRoot, bytes: req.body! };
}
