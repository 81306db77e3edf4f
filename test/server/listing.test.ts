import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { ListingSchema } from '../../schemas/listing.js';
import { fixture, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => { server = await startTestServer({ modules: [fixture('basics.js')], publicRoot: 'https://akara.example.org/base/' }); });
after(() => server.close());

const root = 'https://akara.example.org/base';

describe('GET / (the service listing)', () => {
  it('answers the XML listing, one <service> per service sorted by path, with URL templates', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.equal(res.headers.get('vary'), 'Accept');
    const text = await res.text();
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'service' || name === 'path' }).parse(text);
    const services = doc.services.service as Array<{ '@ident': string; path: Array<{ '@template': string; '#text': string }>; description: string }>;
    const paths = services.map((s) => s.path[0]!['#text']);
    assert.deepEqual(paths, [...paths].sort());
    assert.equal(paths[0], '/akara.echo');
    const echo = services[0]!;
    assert.equal(echo['@ident'], 'http://purl.org/akara/services/builtin/echo');
    assert.equal(echo.path[0]!['@template'], `${root}/akara.echo`);
    assert.match(echo.description, /^Echoes/);
    const params = services.find((s) => s['@ident'] === 'http://example.org/test/params')!;
    assert.equal(params.path[0]!['@template'], `${root}/test/params?name={name}&count={count?}&ratio={ratio?}&flag={flag?}&tag={tag?}&src={src?}`);
    const inner = services.find((s) => s['@ident'] === 'http://example.org/test/inner')!;
    assert.deepEqual(inner.path.map((p) => p['#text']), ['/test/a/b/c', '/test/inner']);
  });

  it('answers the same data as JSON on Accept: application/json, matching the schema', async () => {
    const res = await fetch(`${server.url}/`, { headers: { accept: 'application/json' } });
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const listing = ListingSchema.parse(await res.json());
    const echo = listing.services.find((s) => s.id === 'http://purl.org/akara/services/builtin/echo');
    assert.deepEqual(echo, {
      id: 'http://purl.org/akara/services/builtin/echo',
      paths: [{ path: '/akara.echo', template: `${root}/akara.echo` }],
      methods: ['GET', 'HEAD', 'POST'],
      params: [],
      contentType: 'text/plain; charset=utf-8',
      description: 'Echoes the query parameters (GET) or the request body with its type and length (POST)',
    });
    const xml = await (await fetch(`${server.url}/`)).text();
    assert.equal((xml.match(/<service /g) ?? []).length, listing.services.length);
  });

  it('?service={id} filters to that service; an unknown id is 404', async () => {
    const res = await fetch(`${server.url}/?service=${encodeURIComponent('http://example.org/test/methods')}`, { headers: { accept: 'application/json' } });
    const listing = ListingSchema.parse(await res.json());
    assert.deepEqual(listing.services.map((s) => s.id), ['http://example.org/test/methods']);
    assert.deepEqual(listing.services[0]!.methods, ['GET', 'HEAD', 'PUT']);
    const missing = await fetch(`${server.url}/?service=${encodeURIComponent('http://example.org/none')}`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'AKR_ERR_SERVICE_UNKNOWN');
  });

  it('uses the listening address when no public root is configured', async () => {
    const plain = await startTestServer();
    try {
      const listing = ListingSchema.parse(await (await fetch(`${plain.url}/`, { headers: { accept: 'application/json' } })).json());
      assert.equal(listing.services[0]!.paths[0]!.template, `${plain.url}/akara.echo`);
    } finally {
      await plain.close();
    }
  });
});
