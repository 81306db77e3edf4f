import type { ParamScalar, ParamSpec, ParamValue, ServiceDescriptor } from '../schemas/service.js';
import { AkaraError } from './errors.js';

const EXPECTED: Record<ParamSpec['type'], string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: "'true' or 'false'",
  uri: 'an absolute URI',
};

function convert(spec: ParamSpec, raw: string): ParamScalar {
  const invalid = () => new AkaraError('AKR_ERR_PARAM_INVALID', { param: spec.name, expected: EXPECTED[spec.type] });
  switch (spec.type) {
    case 'string':
      return raw;
    case 'integer': {
      if (!/^[-+]?\d+$/.test(raw)) throw invalid();
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw invalid();
      return n;
    }
    case 'number': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(n)) throw invalid();
      return n;
    }
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw invalid();
    case 'uri':
      if (!URL.canParse(raw)) throw invalid();
      return raw;
  }
}

/**
 * Checks a query string against a service's declared params and types the values.
 * Throws AKR_ERR_PARAM_UNKNOWN, _REPEATED, _MISSING or _INVALID naming the first offending parameter.
 */
export function parseParams(
  descriptor: Pick<ServiceDescriptor, 'params' | 'additionalParams'>,
  search: URLSearchParams,
): { params: Record<string, ParamValue>; query: Array<[string, string]> } {
  const query = [...search];
  const specs = new Map(descriptor.params.map((p) => [p.name, p]));
  const grouped = new Map<string, string[]>();
  for (const [name, value] of query) {
    const spec = specs.get(name);
    if (!spec) {
      if (!descriptor.additionalParams) throw new AkaraError('AKR_ERR_PARAM_UNKNOWN', { param: name });
      continue;
    }
    const values = grouped.get(name);
    if (values) {
      if (!spec.repeatable) throw new AkaraError('AKR_ERR_PARAM_REPEATED', { param: name });
      values.push(value);
    } else grouped.set(name, [value]);
  }
  const params: Record<string, ParamValue> = Object.create(null);
  for (const spec of descriptor.params) {
    const values = grouped.get(spec.name);
    if (values === undefined) {
      if (spec.required) throw new AkaraError('AKR_ERR_PARAM_MISSING', { param: spec.name });
      if (spec.default !== undefined) params[spec.name] = spec.default;
      continue;
    }
    const typed = values.map((raw) => convert(spec, raw));
    params[spec.name] = spec.repeatable ? typed : typed[0]!;
  }
  return { params, query };
}
