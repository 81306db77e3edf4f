import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import { AkaraError } from '../../services/errors.js';
import { escapeXml } from '../../services/listing.js';
import type { InstanceView } from '../../services/manager/manager.js';
import { isParseError, parseServiceId } from '../../services/service-id.js';
import type { Runtime } from '../generation.js';

/** The instances of a class or service as XML, in the manner of the root listing. */
function instancesXml(by: 'class' | 'service', uri: string, instances: readonly InstanceView[]): string {
  const out = [`<?xml version="1.0" encoding="UTF-8"?>\n<instances ${by}="${escapeXml(uri)}">\n`];
  for (const i of instances) {
    out.push(`  <instance ident="${escapeXml(i.serviceId)}" baseIri="${escapeXml(i.baseIri)}" local="${i.local}" healthy="${i.healthy}"`
      + ` breaker="${i.breaker}" inFlight="${i.inFlight}" requests="${i.requests}" failures="${i.failures}"`
      + `${i.latencyMs === null ? '' : ` latencyMs="${i.latencyMs}"`} weight="${i.weight}">\n`);
    for (const c of i.classes) out.push(`    <class ident="${escapeXml(c)}"/>\n`);
    for (const t of i.tags) out.push(`    <tag>${escapeXml(t)}</tag>\n`);
    out.push('  </instance>\n');
  }
  out.push('</instances>\n');
  return out.join('');
}

function uriParam(value: string | undefined, param: string): string {
  const uri = parseServiceId(value);
  if (isParseError(uri)) throw new AkaraError('AKR_ERR_PARAM_INVALID', { param, expected: 'an absolute URI' });
  return uri;
}

/**
 * The lookup API: `GET /akara/services?class={uri}` and `GET /akara/services/{id}` (URL-encoded) list the
 * instances, this server's and its peers', with their health and recent figures. XML by default, JSON on
 * `Accept: application/json`.
 */
export function lookupRoutes(runtime: Runtime): Hono {
  const app = new Hono();
  const answer = (c: Context, by: 'class' | 'service', uri: string) => {
    const instances = runtime.current.manager.lookupAll(uri);
    if (by === 'service' && instances.length === 0) throw new AkaraError('AKR_ERR_SERVICE_UNKNOWN', { service: uri });
    c.header('Vary', 'Accept');
    const type = accepts(c, { header: 'Accept', supports: ['application/xml', 'application/json'], default: 'application/xml' });
    if (type === 'application/json') return c.json({ [by]: uri, instances });
    return c.body(instancesXml(by, uri, instances), 200, { 'Content-Type': 'application/xml; charset=utf-8' });
  };
  app.get('/akara/services', (c) => {
    const classes = c.req.queries('class');
    if (classes === undefined) throw new AkaraError('AKR_ERR_PARAM_MISSING', { param: 'class' });
    if (classes.length > 1) throw new AkaraError('AKR_ERR_PARAM_REPEATED', { param: 'class' });
    return answer(c, 'class', uriParam(classes[0], 'class'));
  });
  app.get('/akara/services/:id', (c) => answer(c, 'service', uriParam(c.req.param('id'), 'id')));
  return app;
}
