import { defineService } from '../define-service.js';
import { jsonToXml, xmlToJson } from '../xml/json-convention.js';

/**
 * `POST /akara.xml2json` and `POST /akara.json2xml` convert between XML and the JSON convention of
 * services/xml/json-convention.ts (README, "XML and JSON"): attributes, namespaces, mixed content,
 * comments and processing instructions survive the round trip.
 */
export const xml2json = defineService({
  id: 'http://purl.org/akara/services/builtin/xml2json',
  path: '/akara.xml2json',
  method: 'POST',
  contentType: 'application/json',
  description: 'Converts the XML body to JSON (Akara convention: names, attributes, children in order)',
  handler: ({ body }, _res, ctx) => xmlToJson(body ?? new Uint8Array(0), ctx.config.xml),
});

export const json2xml = defineService({
  id: 'http://purl.org/akara/services/builtin/json2xml',
  path: '/akara.json2xml',
  method: 'POST',
  contentType: 'application/xml; charset=utf-8',
  description: 'Converts JSON in the Akara convention back to XML',
  handler: ({ body }, _res, ctx) => jsonToXml(body ?? new Uint8Array(0), ctx.config.xml),
});
