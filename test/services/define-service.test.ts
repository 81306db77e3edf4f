import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineService, type ServiceOptions } from '../../services/define-service.js';
import { AkaraError } from '../../services/errors.js';
import { parseParams } from '../../services/params.js';
import { Registry } from '../../services/registry.js';

const ok: ServiceOptions = { id: 'http://example.org/s', path: '/s', handler: () => 'x' };

function definitionError(options: unknown): AkaraError {
  try {
    defineService(options as ServiceOptions);
  } catch (err) {
    assert.ok(err instanceof AkaraError);
    assert.equal(err.code, 'AKR_ERR_SERVICE_DEFINITION');
    return err;
  }
  assert.fail('defineService accepted a bad definition');
}

describe('defineService', () => {
  it('parses the id once into its canonical form and lists the methods', () => {
    const s = defineService({ ...ok, id: 'HTTP://Example.ORG/s' });
    assert.equal(s.descriptor.id, 'http://example.org/s');
    assert.deepEqual(s.descriptor.methods, ['GET']);
    assert.deepEqual(s.descriptor.paths, ['/s']);
  });

  it('refuses a bad URI, naming it', () => {
    assert.match(definitionError({ ...ok, id: 'not a uri' }).message, /'not a uri' is not an absolute URI/);
  });

  it('refuses an unknown param type, naming the service and the param', () => {
    const err = definitionError({ ...ok, params: [{ name: 'n', type: 'int' }] });
    assert.equal(err.message, "service http://example.org/s: param 'n' has unknown type 'int' (known: string, integer, number, boolean, uri)");
  });

  it('refuses bad mount paths', () => {
    assert.match(definitionError({ ...ok, path: 'nope' }).message, /must start with '\/'/);
    assert.match(definitionError({ ...ok, path: '/a/../b' }).message, /has a '\.\.' segment/);
    assert.match(definitionError({ ...ok, path: '/akara/health' }).message, /reserved/);
    assert.match(definitionError({ ...ok, path: '/a/' }).message, /trailing/);
    assert.match(definitionError({ ...ok, path: ['/a', '/a'] }).message, /listed twice/);
  });

  it('refuses a default of the wrong type and unknown methods', () => {
    assert.match(definitionError({ ...ok, params: [{ name: 'n', type: 'integer', default: 'x' }] }).message, /not of type integer/);
    assert.match(definitionError({ id: ok.id, path: '/s', methods: { FETCH: () => '' } }).message, /method 'FETCH' is not supported/);
  });

  it('takes a map of method to handler', () => {
    const s = defineService({ id: ok.id, path: '/s', methods: { POST: () => '', GET: () => '' } });
    assert.deepEqual(s.descriptor.methods, ['GET', 'POST']);
  });
});

describe('Registry', () => {
  const a = defineService({ ...ok, id: 'http://example.org/a', path: '/a' });
  const ab = defineService({ ...ok, id: 'http://example.org/ab', path: '/a/b' });

  it('refuses a duplicate id or mount, naming both modules', () => {
    const registry = new Registry();
    registry.add(a, 'one.js');
    assert.throws(() => registry.add(defineService({ ...ok, id: 'http://example.org/a', path: '/z' }), 'two.js'),
      { code: 'AKR_ERR_SERVICE_DEFINITION', message: 'module two.js, service http://example.org/a: the id is already defined by module one.js' });
    assert.throws(() => registry.add(defineService({ ...ok, id: 'http://example.org/other', path: '/a' }), 'two.js'),
      { message: "module two.js, service http://example.org/other: mount path '/a' is already used by service http://example.org/a (module one.js)" });
  });

  it('matches the longest mount on a segment boundary and is sealed once serving', () => {
    const registry = new Registry();
    registry.add(a, 'm');
    registry.add(ab, 'm');
    registry.seal();
    assert.equal(registry.match('/a/b/c')?.entry, ab);
    assert.equal(registry.match('/a/b/c')?.pathInfo, '/c');
    assert.equal(registry.match('/a/bc')?.entry, a);
    assert.equal(registry.match('/a/bc')?.pathInfo, '/bc');
    assert.equal(registry.match('/a')?.pathInfo, '');
    assert.equal(registry.match('/ab'), undefined);
    assert.throws(() => registry.add(defineService({ ...ok, id: 'http://example.org/late', path: '/late' }), 'm'), /sealed/);
  });
});

describe('parseParams', () => {
  const { descriptor } = defineService({
    ...ok,
    params: [
      { name: 'n', type: 'integer', required: true },
      { name: 'tag', repeatable: true },
      { name: 'b', type: 'boolean', default: false },
    ],
  });

  it('types values, applies defaults and collects repeats', () => {
    const { params, query } = parseParams(descriptor, new URLSearchParams('n=-4&tag=x&tag=y'));
    assert.deepEqual({ ...params }, { n: -4, tag: ['x', 'y'], b: false });
    assert.deepEqual(query, [['n', '-4'], ['tag', 'x'], ['tag', 'y']]);
  });

  it('names the offending parameter', () => {
    assert.throws(() => parseParams(descriptor, new URLSearchParams('n=1&n=2')), { code: 'AKR_ERR_PARAM_REPEATED', detail: { param: 'n' } });
    assert.throws(() => parseParams(descriptor, new URLSearchParams('tag=x')), { code: 'AKR_ERR_PARAM_MISSING', detail: { param: 'n' } });
    assert.throws(() => parseParams(descriptor, new URLSearchParams('n=1&zz=2')), { code: 'AKR_ERR_PARAM_UNKNOWN', detail: { param: 'zz' } });
    assert.throws(() => parseParams(descriptor, new URLSearchParams('n=1.5')), { code: 'AKR_ERR_PARAM_INVALID', message: "Query parameter 'n' must be an integer" });
  });
});
