import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { it } from 'node:test';
import { setTransform, type SetTransformOptions } from '../../middleware/transform.js';
import { onError } from '../../server/problem.js';
import { expectProblem } from '../helpers/problem.js';

/** The fixture folders (sources, not compiled: they sit beside the test sources). */
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/middleware/', import.meta.url));
export const TRANSFORMS = `${FIXTURES}transforms`;

export const BOOKS = '<?xml version="1.0"?>\n<books><book>Dune</book><book>Emma &amp; co</book></books>';
export const BOOKS_HTML = '<html><head><title>Books</title></head><body><ul><li>Dune</li><li>Emma &amp; co</li></ul></body></html>';

/** A plain Hono app: request ids, the middleware, Akara's error handler, and one route answering `body`. */
export function appWith(middleware: MiddlewareHandler, route: (c: Context) => Response | Promise<Response>, path = '/doc'): Hono {
  const app = new Hono();
  app.use(requestId());
  app.use(middleware);
  app.get(path, route);
  app.onError(onError);
  return app;
}

/** A route that asks for a transform of an XML body. */
export function transformed(stylesheet: string | string[], body = BOOKS, options?: SetTransformOptions) {
  return (c: Context) => {
    setTransform(c, stylesheet, options);
    return c.body(body, 200, { 'content-type': 'application/xml' });
  };
}

/**
 * What every TransformRunner must do behind the middleware, byte for byte: run with the in-process runner
 * and with the pool runner, they give the same answers. `middleware` builds one for a config whose
 * transforms folder is test/fixtures/middleware/transforms.
 */
export function transformContract(middleware: () => MiddlewareHandler): void {
  it('transforms with a named stylesheet from the transforms folder, keeping the status and other headers', async () => {
    const app = appWith(middleware(), (c) => {
      setTransform(c, 'page.xsl');
      c.header('set-cookie', 'a=1');
      c.header('set-cookie', 'b=2', { append: true });
      return c.body(BOOKS, 201, { 'content-type': 'application/xml', etag: '"source"', 'x-kept': 'yes', 'content-length': String(BOOKS.length) });
    });
    const res = await app.request('/doc');
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), BOOKS_HTML);
    assert.equal(res.headers.get('x-kept'), 'yes');
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(res.headers.get('etag'), null);
    assert.equal(res.headers.get('content-length'), null);
  });

  it('chains stylesheets in order, each one applied to the previous result, with the same params', async () => {
    const app = appWith(middleware(), transformed(['wrap.xsl', 'describe.xsl'], BOOKS, { params: { tag: 'one' } }));
    const res = await app.request('/doc');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'wrapped[one]: 2 books & more\n');
    const reversed = await appWith(middleware(), transformed(['describe.xsl', 'wrap.xsl'])).request('/doc');
    // describe.xsl gives text, which is not XML for the next stylesheet.
    await expectProblem(reversed, 422, 'AKR_ERR_XML_MALFORMED');
  });

  it('passes params as strings, escaped as the output method requires', async () => {
    const app = appWith(middleware(), transformed('wrap.xsl', '<a/>', { params: { tag: '<x & "y">' } }));
    const res = await app.request('/doc');
    assert.equal(res.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.equal(await res.text(), '<wrapped tag="&lt;x &amp; &quot;y&quot;&gt;"><a/></wrapped>');
  });

  it('takes the media type from mediaType over xsl:output', async () => {
    const app = appWith(middleware(), transformed('wrap.xsl', '<feed/>', { mediaType: 'application/atom+xml' }));
    const res = await app.request('/doc');
    assert.equal(res.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
    assert.equal(await res.text(), '<wrapped tag="default"><feed/></wrapped>');
  });

  it('answers 422 AKR_ERR_XML_MALFORMED, through the app error handler, for a body that is not XML', async () => {
    const app = appWith(middleware(), transformed('page.xsl', '<books><book>Dune</books>'));
    const problem = await expectProblem(await app.request('/doc'), 422, 'AKR_ERR_XML_MALFORMED');
    assert.equal(problem.line, 1);
    assert.equal(problem.instance, '/doc');
  });

  it('answers 422 AKR_ERR_XSLT_COMPILE for a stylesheet that does not compile, 404 for one that is missing', async () => {
    const broken = await expectProblem(await appWith(middleware(), transformed('broken.xsl')).request('/doc'), 422, 'AKR_ERR_XSLT_COMPILE');
    assert.match(String(broken.uri), /\/transforms\/broken\.xsl$/);
    await expectProblem(await appWith(middleware(), transformed('missing.xsl')).request('/doc'), 404, 'AKR_ERR_RESOURCE_NOT_FOUND');
  });

  it('answers 403 AKR_ERR_URI_DENIED for a stylesheet the fetch policy refuses', async () => {
    const app = appWith(middleware(), transformed('http://169.254.169.254/latest/x.xsl'));
    const problem = await expectProblem(await app.request('/doc'), 403, 'AKR_ERR_URI_DENIED');
    assert.equal(problem.uri, 'http://169.254.169.254/latest/x.xsl');
  });
}
