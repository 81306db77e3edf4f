import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, it } from 'node:test';
import { setTransform, transformMiddleware } from '../../middleware/transform.js';
import { inProcessRunner } from '../../middleware/transform-runner.js';
import { resolveConfig } from '../../server/config.js';
import { onError } from '../../server/problem.js';
import { AkaraError } from '../../services/errors.js';
import { MAX_LOCAL_DEPTH } from '../../services/resolver/resolver.js';
import { MAX_CHAIN } from '../../services/xslt/apply.js';
import { expectProblem } from '../helpers/problem.js';
import { appWith, BOOKS, BOOKS_HTML, FIXTURES, TRANSFORMS, transformContract, transformed } from './transform.contract.js';

const withTransforms = (): MiddlewareHandler => transformMiddleware({ config: { transforms: TRANSFORMS } });
const COUNT_XSL = readFile(`${FIXTURES}static/count.xsl`);
const pi = (href: string, type = 'text/xsl') => `<?xml version="1.0"?>\n<?xml-stylesheet type="${type}" href="${href}"?>\n<books><book>Dune</book></books>`;

/**
 * An app mounted with the middleware given the app itself, serving /xsl/count.xsl, with `routes` added
 * (Hono takes no routes after its first request).
 */
function selfServingApp(options: { xmlStylesheet?: boolean }, routes: (app: Hono) => void): Hono {
  const app = new Hono();
  app.use(requestId());
  app.use(transformMiddleware({ app, ...options }));
  app.get('/xsl/count.xsl', async (c) => c.body(new Uint8Array(await COUNT_XSL), 200, { 'content-type': 'application/xslt+xml' }));
  routes(app);
  app.onError(onError);
  return app;
}

describe('transformMiddleware, in process', () => {
  transformContract(withTransforms);

  it('opens no connection for a stylesheet the policy refuses', async () => {
    const seen: string[] = [];
    const onConnect = (_message: unknown, name: string | symbol) => seen.push(String(name));
    const channels = ['undici:client:beforeConnect', 'undici:client:connectError', 'net.client.socket'];
    for (const channel of channels) subscribe(channel, onConnect);
    try {
      const app = appWith(withTransforms(), transformed('http://169.254.169.254/latest/x.xsl'));
      await expectProblem(await app.request('/doc'), 403, 'AKR_ERR_URI_DENIED');
    } finally {
      for (const channel of channels) unsubscribe(channel, onConnect);
    }
    assert.deepEqual(seen, []);
  });

  it('passes a response untouched when the handler did not call setTransform: same bytes, same headers', async () => {
    // XML with a stylesheet PI that is not XSLT, and JSON: neither is for the middleware.
    const routes: Array<[string, Record<string, string>]> = [
      [pi('/xsl/count.xsl', 'text/css'), { 'content-type': 'application/xml', etag: '"v1"', 'x-kept': 'yes' }],
      ['{"a":1}', { 'content-type': 'application/json', 'content-length': '7' }],
    ];
    for (const [body, headers] of routes) {
      const handler = (c: Context) => c.body(body, 200, headers);
      const direct = new Hono();
      direct.get('/doc', handler);
      const expected = await direct.request('/doc');
      const expectedBytes = new Uint8Array(await expected.arrayBuffer());
      for (const middleware of [withTransforms(), transformMiddleware({ config: { transforms: TRANSFORMS }, xmlStylesheet: true })]) {
        const app = new Hono();
        app.use(middleware);
        app.get('/doc', handler);
        const res = await app.request('/doc');
        assert.equal(res.status, 200);
        assert.deepEqual([...res.headers], [...expected.headers]);
        assert.deepEqual(new Uint8Array(await res.arrayBuffer()), expectedBytes);
      }
    }
  });

  it('applies a response\'s own xml-stylesheet PI when xmlStylesheet is on, resolving its href against the request URL', async () => {
    const app = selfServingApp({ xmlStylesheet: true }, (routes) => {
      routes.get('/shelf/doc', (c) => c.body(pi('../xsl/count.xsl'), 200, { 'content-type': 'text/xml', 'x-kept': 'yes' }));
    });
    const res = await app.request('/shelf/doc');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.count+xml; charset=utf-8');
    assert.equal(res.headers.get('x-kept'), 'yes');
    assert.equal(await res.text(), '<count>1</count>');
  });

  it('ignores xml-stylesheet PIs when xmlStylesheet is off, and those not XSLT, alternate, or after the root element', async () => {
    const off = selfServingApp({}, (routes) => {
      routes.get('/doc', (c) => c.body(pi('/xsl/count.xsl'), 200, { 'content-type': 'application/xml' }));
    });
    assert.equal(await (await off.request('/doc')).text(), pi('/xsl/count.xsl'));

    const bodies = [
      pi('/xsl/count.xsl', 'text/css'),
      '<?xml-stylesheet type="text/xsl" href="/xsl/count.xsl" alternate="yes"?><books/>',
      '<books/><?xml-stylesheet type="text/xsl" href="/xsl/count.xsl"?>',
      '<?xml-stylesheet type="text/xsl" href="/xsl/count.xsl" ?broken?><books/>',
    ];
    const on = selfServingApp({ xmlStylesheet: true }, (routes) => {
      bodies.forEach((body, i) => routes.get(`/doc/${i}`, (c) => c.body(body, 200, { 'content-type': 'application/xml' })));
      // The first XSLT PI wins; a CSS one before it is skipped.
      routes.get('/both', (c) => c.body(`<?xml-stylesheet href="a.css" type="text/css"?><?xml-stylesheet href='/xsl/count.xsl' type='application/xslt+xml'?><?xml-stylesheet type="text/xsl" href="/nowhere.xsl"?><books><book/></books>`, 200, { 'content-type': 'application/atom+xml' }));
    });
    for (const [i, body] of bodies.entries()) {
      const res = await on.request(`/doc/${i}`);
      assert.equal(await res.text(), body, `body ${i}`);
    }
    assert.equal(await (await on.request('/both')).text(), '<count>1</count>');
  });

  it('serves stylesheets on the app\'s own origin from the app in process, and refuses them without `app`', async () => {
    const app = selfServingApp({}, (routes) => {
      routes.get('/doc', transformed('/xsl/count.xsl'));
      routes.get('/missing', transformed('/xsl/missing.xsl'));
    });
    const res = await app.request('/doc');
    assert.equal(res.headers.get('content-type'), 'application/vnd.count+xml; charset=utf-8');
    assert.equal(await res.text(), '<count>2</count>');
    const missing = await expectProblem(await app.request('/missing'), 502, 'AKR_ERR_UPSTREAM');
    assert.equal(missing.uri, 'http://localhost/xsl/missing.xsl');

    const without = appWith(transformMiddleware(), transformed('/xsl/count.xsl'));
    const problem = await expectProblem(await without.request('/doc'), 403, 'AKR_ERR_URI_DENIED');
    assert.match(String(problem.detail), /own origin.*`app` option/);
  });

  it('bounds nested own-URI dispatches: a stylesheet that is itself transformed through itself fails', async () => {
    let served = 0;
    const app = selfServingApp({ xmlStylesheet: true }, (routes) => {
      routes.get('/loop.xsl', (c) => (served++, c.body('<?xml-stylesheet type="text/xsl" href="/loop.xsl"?><x/>', 200, { 'content-type': 'application/xml' })));
    });
    const problem = await expectProblem(await app.request('/loop.xsl'), 502, 'AKR_ERR_UPSTREAM');
    assert.equal(problem.uri, 'http://localhost/loop.xsl');
    // The client's request, then MAX_LOCAL_DEPTH nested ones; the next is refused.
    assert.equal(served, 1 + MAX_LOCAL_DEPTH);
  });

  it('resolves references against baseUri when given', async () => {
    const base = new URL(`file://${TRANSFORMS}/`).href;
    const app = appWith(transformMiddleware({ config: { transforms: TRANSFORMS }, baseUri: base }), transformed('./page.xsl'));
    assert.equal(await (await app.request('/doc')).text(), BOOKS_HTML);
  });

  it('answers HEAD with the headers of the transformed GET and no body', async () => {
    const app = appWith(withTransforms(), transformed('page.xsl'));
    const res = await app.request('/doc', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), '');
  });

  it('leaves error responses alone, even after setTransform', async () => {
    const app = appWith(withTransforms(), (c) => {
      setTransform(c, 'page.xsl');
      throw new AkaraError('AKR_ERR_PARAM_MISSING', { param: 'q' });
    });
    await expectProblem(await app.request('/doc'), 400, 'AKR_ERR_PARAM_MISSING');
  });

  it('leaves answers that are not 2xx alone, even after setTransform', async () => {
    const app = new Hono();
    app.use(withTransforms());
    app.get('/json', (c) => {
      setTransform(c, 'page.xsl');
      return c.json({ error: 'no such book' }, 404);
    });
    app.get('/gone', (c) => {
      setTransform(c, 'page.xsl');
      return c.notFound();
    });
    const json = await app.request('/json');
    assert.equal(json.status, 404);
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.equal(await json.text(), '{"error":"no such book"}');
    const gone = await app.request('/gone');
    assert.equal(gone.status, 404);
    assert.equal(await gone.text(), '404 Not Found');
  });

  it('leaves 204 and 304 answers alone', async () => {
    const app = new Hono();
    app.use(withTransforms());
    app.get('/doc', (c) => {
      setTransform(c, 'page.xsl');
      return c.body(null, 304, { etag: '"v1"' });
    });
    const res = await app.request('/doc');
    assert.equal(res.status, 304);
    assert.equal(res.headers.get('etag'), '"v1"');
  });

  it('refuses a body past xml.maxBytes with 413 AKR_ERR_XML_LIMIT, by Content-Length or as it streams', async () => {
    const middleware = transformMiddleware({ config: { transforms: TRANSFORMS, xml: { maxBytes: 64 } } });
    const big = `<books>${'<book>Dune</book>'.repeat(10)}</books>`;
    const app = appWith(middleware, transformed('page.xsl', big));
    const problem = await expectProblem(await app.request('/doc'), 413, 'AKR_ERR_XML_LIMIT');
    assert.equal(problem.limit, 64);
    const streamed = appWith(middleware, (c) => {
      setTransform(c, 'page.xsl');
      return c.body(new Blob([big]).stream(), 200, { 'content-type': 'application/xml' });
    });
    await expectProblem(await streamed.request('/doc'), 413, 'AKR_ERR_XML_LIMIT');
    // An XML response past the bound with no stylesheet PI streams on untouched.
    const untouched = appWith(transformMiddleware({ xmlStylesheet: true, config: { xml: { maxBytes: 64 } } }), (c) => c.body(new Blob([big]).stream(), 200, { 'content-type': 'application/xml' }));
    assert.equal(await (await untouched.request('/doc')).text(), big);
  });

  it('transforms once when two middlewares run for a request', async () => {
    const app = new Hono();
    app.use(withTransforms());
    app.use('/doc', withTransforms());
    app.get('/doc', transformed('wrap.xsl', '<a/>'));
    assert.equal(await (await app.request('/doc')).text(), '<wrapped tag="default"><a/></wrapped>');
  });

  it('refuses an encoded body it cannot read (mount compression outside the middleware)', async () => {
    const app = appWith(withTransforms(), (c) => {
      setTransform(c, 'page.xsl');
      return c.body(gzipSync(BOOKS), 200, { 'content-type': 'application/xml', 'content-encoding': 'gzip' });
    });
    const problem = await expectProblem(await app.request('/doc'), 500, 'AKR_ERR_INTERNAL');
    assert.match(String(problem.detail), /gzip-encoded/);
  });

  it('takes an in-process runner built apart, which several middlewares may share', async () => {
    const runner = inProcessRunner(resolveConfig({ transforms: TRANSFORMS }, { baseDir: process.cwd() }));
    for (let i = 0; i < 2; i++) {
      const app = appWith(transformMiddleware({ runner }), transformed('page.xsl'));
      assert.equal(await (await app.request('/doc')).text(), BOOKS_HTML);
    }
  });
});

describe('setTransform and transformMiddleware arguments', () => {
  it('throws a TypeError when no transform middleware runs for the request', async () => {
    const app = new Hono();
    app.get('/doc', (c) => {
      try {
        setTransform(c, 'page.xsl');
        return c.text('no error');
      } catch (err) {
        return c.text(`${(err as Error).name}: ${(err as Error).message}`);
      }
    });
    assert.equal(await (await app.request('/doc')).text(), 'TypeError: setTransform: no transformMiddleware runs for this request; mount one with app.use(transformMiddleware()) before the route');
  });

  it('checks the stylesheets, media type and params, naming what is wrong', async () => {
    const messages: string[] = [];
    const app = new Hono();
    app.use(withTransforms());
    app.get('/doc', (c) => {
      const attempts: Array<() => void> = [
        () => setTransform(c, []),
        () => setTransform(c, Array.from({ length: MAX_CHAIN + 1 }, () => 'page.xsl')),
        () => setTransform(c, ['page.xsl', '']),
        () => setTransform(c, 'page.xsl', { mediaType: 'html' }),
        () => setTransform(c, 'page.xsl', { params: { 'not a name': 'x' } }),
        () => setTransform(c, 'page.xsl', { params: { n: 1 as unknown as string } }),
      ];
      for (const attempt of attempts) {
        try {
          attempt();
          messages.push('no error');
        } catch (err) {
          messages.push((err as Error).message);
        }
      }
      return c.body(null, 204);
    });
    await app.request('/doc');
    assert.deepEqual(messages, [
      'setTransform: stylesheet must name 1 to 16 stylesheets, got 0',
      'setTransform: stylesheet must name 1 to 16 stylesheets, got 17',
      'setTransform: stylesheet[1] must be a non-empty string',
      "setTransform: options.mediaType must be a media type such as text/html, got 'html'",
      "setTransform: options.params name 'not a name' is not an XSLT parameter name (a QName)",
      'setTransform: options.params.n must be a string',
    ]);
  });

  it('checks its options when built: the config, baseUri, and a runner given with config', () => {
    const configProblem = (pattern: RegExp) => (err: unknown) => err instanceof AkaraError && err.code === 'AKR_ERR_CONFIG_INVALID' && pattern.test(err.message);
    assert.throws(() => transformMiddleware({ config: { xml: { maxBytes: 0 } } }), configProblem(/xml\.maxBytes must be a positive integer/));
    assert.throws(() => transformMiddleware({ config: { transforms: `${FIXTURES}nowhere` } }), configProblem(/transforms .*nowhere is not a folder/));
    assert.throws(() => transformMiddleware({ baseUri: 'relative/' }), /options\.baseUri must be an absolute URI/);
    const runner = inProcessRunner(resolveConfig({}, { baseDir: process.cwd() }));
    assert.throws(() => transformMiddleware({ runner, config: {} }), /options\.runner brings its own/);
  });
});
