import { createContext, type WorkerTools } from './context.js';
import type { ServiceDefinition } from './define-service.js';
import { AkaraError } from './errors.js';
import { invokeService } from './invoke.js';
import { parseParams } from './params.js';
import type { Registry } from './registry.js';
import type { LocalDispatch } from './resolver/resolver.js';

/**
 * Serves GETs of this server's own URIs in process, in the worker that asked: a stylesheet in a resource
 * space, or the output of another service. Anything but a 200 is an upstream failure of the outer request.
 */
export function localDispatch(registry: Registry<ServiceDefinition>, tools: WorkerTools): LocalDispatch {
  return async function dispatchLocally(path, scope) {
    const url = new URL(path, 'http://local.invalid');
    const uri = new URL(path.slice(1), scope.publicRoot).href;
    const match = registry.match(url.pathname);
    if (!match || !match.entry.handlers.GET) throw new AkaraError('AKR_ERR_RESOURCE_NOT_FOUND', { path: url.pathname });
    const { descriptor } = match.entry;
    const { params, query } = parseParams(descriptor, url.searchParams);
    const result = await invokeService(match.entry, {
      serviceId: descriptor.id,
      method: 'GET',
      params,
      query,
      pathInfo: match.pathInfo,
      headers: {},
      requestId: scope.requestId ?? '',
    }, createContext(tools, scope));
    if (result.status !== 200) throw new AkaraError('AKR_ERR_UPSTREAM', { uri, reason: `the service answered ${result.status}` });
    const headers = new Map(result.headers);
    const contentType = headers.get('content-type');
    const validator = headers.get('etag');
    return {
      uri,
      bytes: result.body,
      ...(contentType === undefined ? {} : { contentType }),
      ...(validator === undefined ? {} : { validator }),
    };
  };
}
