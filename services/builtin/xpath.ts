import { defineService, type ServiceHandler } from '../define-service.js';
import { AkaraError } from '../errors.js';
import { requestSource } from '../request-source.js';
import { evaluateXPath } from '../xpath/evaluate.js';
import { serializeXPathResult } from '../xpath/serialize.js';

const XMLNS = 'xmlns:';

/** `xmlns:p={uri}` query parameters bind prefixes for the expression. */
function namespacesOf(query: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const namespaces: Record<string, string> = Object.create(null);
  for (const [name, value] of query) {
    if (name === 'select' || name === '@source') continue;
    if (!name.startsWith(XMLNS)) throw new AkaraError('AKR_ERR_PARAM_UNKNOWN', { param: name });
    const prefix = name.slice(XMLNS.length);
    if (Object.hasOwn(namespaces, prefix)) throw new AkaraError('AKR_ERR_PARAM_REPEATED', { param: name });
    namespaces[prefix] = value;
  }
  return namespaces;
}

const select: ServiceHandler = async (req, res, ctx) => {
  const namespaces = namespacesOf(req.query);
  const source = await requestSource(req, ctx);
  const result = evaluateXPath(ctx.parseXml(source.bytes, source.uri), req.params.select as string, { namespaces });
  const json = /\bapplication\/json\b/.test(req.headers.accept ?? '');
  const { body, contentType } = serializeXPathResult(result, json ? 'json' : result.type === 'node-set' ? 'xml' : 'text');
  res.header('content-type', contentType);
  res.header('vary', 'Accept');
  return body;
};

/**
 * `GET|POST /akara.xpath?select={expr}` evaluates an XPath 1.0 expression on the body or the `@source`
 * document: node-sets as XML, other results as text, everything as JSON on `Accept: application/json`.
 * `xmlns:p={uri}` binds a prefix used in the expression.
 */
export default defineService({
  id: 'http://purl.org/akara/services/builtin/xpath',
  path: '/akara.xpath',
  description: 'Evaluates an XPath 1.0 expression on the request body or the @source document',
  params: [
    { name: 'select', required: true, description: 'The XPath 1.0 expression' },
    { name: '@source', description: 'The source document, instead of the request body' },
  ],
  additionalParams: true,
  methods: { GET: select, POST: select },
});
