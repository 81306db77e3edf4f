import { defineService, type ServiceHandler } from '../define-service.js';
import { AkaraError } from '../errors.js';
import { requestSource } from '../request-source.js';
import { applyChain, chainBody, stylesheetParams, transformEtag } from '../xslt/apply.js';
import { contentTypeOf, isMediaType } from '../xslt/engine.js';

const transform: ServiceHandler = async (req, res, ctx) => {
  const mediaType = req.params['@media-type'] as string | undefined;
  if (mediaType !== undefined && !isMediaType(mediaType)) {
    throw new AkaraError('AKR_ERR_PARAM_INVALID', { param: '@media-type', expected: 'a media type such as text/html' });
  }
  const stylesheets = (req.params['@xslt'] as string[]).map((ref) => ctx.transformUri(ref));
  const params = stylesheetParams(req.query, (name) => name.startsWith('@'));
  const source = await requestSource(req, ctx);
  const result = await applyChain(ctx, ctx.parseXml(source.bytes, source.uri), stylesheets, params);
  res.header('content-type', mediaType === undefined ? contentTypeOf(result.output) : `${mediaType}; charset=utf-8`);
  if (req.method === 'GET') res.header('etag', transformEtag(ctx, source, result, req.query));
  return chainBody(result);
};

/**
 * Akara's XSLT service: `POST /akara.xslt?@xslt={uri}` with the source as the body, or `@source={uri}`
 * (GET or POST). `@xslt` may repeat to chain stylesheets; every parameter not starting with `@` is an
 * `xsl:param` string; the media type follows `xsl:output` unless `@media-type` says otherwise.
 */
export default defineService({
  id: 'http://purl.org/akara/services/builtin/xslt',
  path: '/akara.xslt',
  description: 'Applies XSLT stylesheets, in order, to the request body or the @source document',
  params: [
    { name: '@xslt', required: true, repeatable: true, description: 'A stylesheet: a URI, a path on this server or a name in the transforms folder' },
    { name: '@source', description: 'The source document, instead of the request body' },
    { name: '@media-type', description: 'The response media type, instead of the one xsl:output gives' },
  ],
  additionalParams: true,
  methods: { GET: transform, POST: transform },
});
