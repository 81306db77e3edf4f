import { Hono } from 'hono';
import { accepts } from 'hono/accepts';
import { AkaraError } from '../../services/errors.js';
import { buildListing, listingXml } from '../../services/listing.js';
import { isParseError, parseServiceId } from '../../services/service-id.js';
import type { Runtime } from '../generation.js';

/** `GET /`: Akara's service listing, XML by default and JSON on `Accept: application/json`. */
export function listingRoutes(runtime: Runtime, publicRoot: () => string): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const { registry } = runtime.current;
    const filter = c.req.queries('service');
    let services = registry.all().map((s) => s.descriptor);
    if (filter !== undefined) {
      if (filter.length > 1) throw new AkaraError('AKR_ERR_PARAM_REPEATED', { param: 'service' });
      const id = parseServiceId(filter[0]);
      if (isParseError(id)) throw new AkaraError('AKR_ERR_PARAM_INVALID', { param: 'service', expected: 'a service id (an absolute URI)' });
      const one = registry.get(id);
      if (!one) throw new AkaraError('AKR_ERR_SERVICE_UNKNOWN', { service: id });
      services = [one.descriptor];
    }
    const listing = buildListing(publicRoot(), services);
    const type = accepts(c, { header: 'Accept', supports: ['application/xml', 'application/json'], default: 'application/xml' });
    c.header('Vary', 'Accept');
    if (type === 'application/json') return c.json(listing);
    return c.body(listingXml(listing), 200, { 'Content-Type': 'application/xml; charset=utf-8' });
  });
  return app;
}
