import type { ResourceSpace } from '../../schemas/config.js';
import type { ServiceContext } from '../context.js';
import { defineService, type ServiceDefinition } from '../define-service.js';
import { AkaraError } from '../errors.js';
import { strongEtag } from '../etag.js';
import type { Resource } from '../resolver/resolver.js';
import { fileBelow, readLimited } from '../resources/files.js';
import { applyChain, chainBody, stylesheetParams, transformEtag } from '../xslt/apply.js';
import { contentTypeOf } from '../xslt/engine.js';

/** Resource spaces are services with ids below this one, e.g. `.../resources/docs` for `/docs`. */
export const RESOURCE_SPACE_ID = 'http://purl.org/akara/services/builtin/resources';

async function read(space: ResourceSpace, pathInfo: string, ctx: ServiceContext): Promise<Resource> {
  // Relative references in the document (imports, document()) resolve against its public URL, in process.
  const uri = new URL(`${space.mount.slice(1)}${pathInfo}`, ctx.publicRoot).href;
  if (space.root !== undefined) {
    const file = await readLimited(await fileBelow(space.root, pathInfo), ctx.config.fetch.maxBytes, `${space.mount}${pathInfo}`);
    ctx.dependsOn(file.dependency);
    return { uri, ...file };
  }
  const base = space.base!.endsWith('/') ? space.base! : `${space.base!}/`;
  // Checked like a root space's path: dot segments, encoded or not, never climb above the base.
  const segments = pathInfo.split('/').slice(1);
  if (segments.length === 0 || segments.some((s) => /^(?:\.|%2e){1,2}$/i.test(s) || /%2f|%5c|%00/i.test(s))) {
    throw new AkaraError(segments.length === 0 ? 'AKR_ERR_RESOURCE_NOT_FOUND' : 'AKR_ERR_PATH_FORBIDDEN', { path: pathInfo || '/' });
  }
  const upstream = await ctx.fetchUpstream(new URL(segments.join('/'), base), base);
  return { ...upstream, uri };
}

function spaceService(space: ResourceSpace): ServiceDefinition {
  return defineService({
    id: `${RESOURCE_SPACE_ID}${space.mount}`,
    path: space.mount,
    description: space.description ?? `Documents ${space.root === undefined ? `from ${space.base!}` : 'from a folder'}; ?xslt= transforms them`,
    params: [{ name: 'xslt', repeatable: true, description: 'A transform: a name in the transforms folder, a path on this server or a URI' }],
    additionalParams: true,
    subPaths: true,
    handler: async ({ pathInfo, params, query }, res, ctx) => {
      const resource = await read(space, pathInfo, ctx);
      const transforms = (params.xslt ?? []) as string[];
      if (transforms.length === 0) {
        const extra = query.find(([name]) => name !== 'xslt');
        if (extra) throw new AkaraError('AKR_ERR_PARAM_UNKNOWN', { param: extra[0] });
        res.header('content-type', resource.contentType ?? 'application/octet-stream');
        if (resource.validator !== undefined) res.header('etag', resource.validator.startsWith('W/') ? resource.validator : strongEtag([resource.validator]));
        return resource.bytes;
      }
      const source = ctx.parseXml(resource.bytes, resource.uri);
      const result = await applyChain(ctx, source, transforms.map((t) => ctx.transformUri(t)), stylesheetParams(query, (name) => name === 'xslt'));
      res.header('content-type', contentTypeOf(result.output));
      res.header('etag', transformEtag(ctx, resource, result, query));
      return chainBody(result);
    },
  });
}

/** One service per configured resource space: `GET /{mount}/{path}[?xslt=...]`. */
export function resourceSpaceServices(spaces: readonly ResourceSpace[]): ServiceDefinition[] {
  return spaces.map(spaceService);
}
