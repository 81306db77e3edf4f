import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => { server = await startTestServer({ pool: { minThreads: 1, maxThreads: 1 }, xml: { maxDepth: 8 } }); });
after(() => server.close());

const validate = (body: string) => fetch(`${server.url}/akara.validate`, { method: 'POST', body, headers: { 'content-type': 'application/xml' } });

describe('akara.validate', () => {
  it('answers 200 with a report for a well-formed document', async () => {
    const res = await validate('<a xmlns:x="urn:x"><x:b c="1"/>é</a>');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { wellFormed: true, bytes: 37 });
  });

  it('answers 422 with every problem, each with its line, column and message', async () => {
    const body = await expectProblem(await validate('<a>\n<b x="1" x="2">\n</c>\n<d>&undefined;</d></a>'), 422, 'AKR_ERR_XML_MALFORMED');
    const errors = body.errors as Array<{ line: number; column: number; message: string }>;
    assert.ok(errors.length >= 3, JSON.stringify(errors));
    assert.deepEqual(errors.map((e) => e.line), [...errors.map((e) => e.line)].sort((x, y) => x - y));
    assert.equal(errors[0]!.line, 2);
    assert.match(errors[0]!.message, /duplicate attribute: x/);
    assert.ok(errors.some((e) => e.line === 3 && /unexpected close tag/.test(e.message)), JSON.stringify(errors));
    assert.ok(errors.some((e) => e.line === 4 && /undefined entity/.test(e.message)), JSON.stringify(errors));
    assert.equal(body.line, errors[0]!.line);
    assert.match(String(body.detail), /and \d+ more/);
  });

  it('refuses entity declarations, empty bodies, and documents past the limits', async () => {
    await expectProblem(await validate('<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'), 422, 'AKR_ERR_XML_DTD_FORBIDDEN');
    await expectProblem(await validate(''), 422, 'AKR_ERR_XML_MALFORMED');
    const deep = await expectProblem(await validate(`${'<a>'.repeat(9)}${'</a>'.repeat(9)}`), 413, 'AKR_ERR_XML_LIMIT');
    assert.equal(deep.limit, 8);
  });

  it('is listed at / with the other built-in transform services', async () => {
    const listing = await (await fetch(`${server.url}/`, { headers: { accept: 'application/json' } })).json() as { services: Array<{ id: string }> };
    const ids = listing.services.map((s) => s.id);
    for (const id of ['validate', 'xslt']) assert.ok(ids.includes(`http://purl.org/akara/services/builtin/${id}`), id);
  });
});
