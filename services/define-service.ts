import {
  HTTP_METHODS, PARAM_TYPES,
  type HttpMethod, type ParamSpec, type ParamType, type ParamValue, type ServiceDescriptor,
} from '../schemas/service.js';
import type { XmlBody } from './body.js';
import type { ServiceContext } from './context.js';
import { AkaraError } from './errors.js';
import { isParseError, parseMountPath, parseServiceId, type MountPath, type ServiceId } from './service-id.js';

/** What a handler receives. */
export interface ServiceRequest {
  serviceId: ServiceId;
  method: HttpMethod;
  /** Declared parameters, typed; a repeatable one is an array. */
  params: Record<string, ParamValue>;
  /** Every query parameter as it came, in order (for services with `additionalParams`). */
  query: Array<[string, string]>;
  /** The request body, for methods that have one. */
  body?: Uint8Array;
  contentType?: string;
  /** The rest of the URL path below the mount point, still percent-encoded: '' or '/a/b'. */
  pathInfo: string;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  requestId: string;
}

/** What a handler may set besides the body. */
export interface ServiceResponse {
  status(code: number): void;
  header(name: string, value: string): void;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A handler's result: text, bytes, an XML document from the engine layer, or a JSON-able value. */
export type ServiceBody = string | Uint8Array | XmlBody | JsonValue | undefined;

export type ServiceHandler = (req: ServiceRequest, res: ServiceResponse, ctx: ServiceContext) => ServiceBody | Promise<ServiceBody>;

export interface ParamOptions {
  name: string;
  type?: ParamType;
  required?: boolean;
  repeatable?: boolean;
  default?: ParamValue;
  description?: string;
}

interface CommonOptions {
  /** The service's URI identity, e.g. `http://purl.org/akara/services/builtin/echo`. */
  id: string;
  /** One or more mount points. */
  path: string | string[];
  params?: ParamOptions[];
  /** Accept query parameters that are not declared (they reach the handler in `query`). */
  additionalParams?: boolean;
  /**
   * The service answers for paths below its mount too (they reach the handler as `pathInfo`), as a
   * resource space does: its listing's URL template shows `/{path}`.
   */
  subPaths?: boolean;
  /** Service classes (URIs) this service implements: other services and apps find it by class. */
  classes?: string[];
  /** The response media type, when the handler sets none. */
  contentType?: string;
  description?: string;
}

export interface SingleMethodOptions extends CommonOptions {
  /** The one HTTP method, GET by default. */
  method?: HttpMethod;
  handler: ServiceHandler;
}

export interface MethodMapOptions extends CommonOptions {
  /** One handler per HTTP method, in the manner of Akara's `method_dispatcher`. */
  methods: Partial<Record<HttpMethod, ServiceHandler>>;
}

export type ServiceOptions = SingleMethodOptions | MethodMapOptions;

const kService = Symbol.for('akara.service');

/** A validated service: its descriptor and its handlers. */
export interface ServiceDefinition {
  readonly [kService]: true;
  readonly descriptor: Omit<ServiceDescriptor, 'module'>;
  readonly handlers: Readonly<Partial<Record<HttpMethod, ServiceHandler>>>;
}

export function isServiceDefinition(value: unknown): value is ServiceDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kService] === true;
}

function fail(where: string, reason: string): never {
  throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', { where, reason });
}

function checkDefault(where: string, spec: ParamSpec, value: ParamValue): void {
  const values = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && !spec.repeatable) fail(where, `param '${spec.name}' has a list default but is not repeatable`);
  const ok = values.every((v) => {
    switch (spec.type) {
      case 'integer': return Number.isInteger(v);
      case 'number': return typeof v === 'number' && Number.isFinite(v);
      case 'boolean': return typeof v === 'boolean';
      default: return typeof v === 'string';
    }
  });
  if (!ok) fail(where, `param '${spec.name}' has a default that is not of type ${spec.type}`);
}

function toParamSpecs(where: string, params: unknown): ParamSpec[] {
  if (params === undefined) return [];
  if (!Array.isArray(params)) fail(where, 'params must be an array of { name, type, required, repeatable, default }');
  const seen = new Set<string>();
  return params.map((p: ParamOptions, i) => {
    if (typeof p !== 'object' || p === null || typeof p.name !== 'string' || p.name === '') {
      fail(where, `params[${i}] needs a non-empty name`);
    }
    if (seen.has(p.name)) fail(where, `param '${p.name}' is declared twice`);
    seen.add(p.name);
    const type = p.type ?? 'string';
    if (!(PARAM_TYPES as readonly string[]).includes(type)) {
      fail(where, `param '${p.name}' has unknown type '${String(type)}' (known: ${PARAM_TYPES.join(', ')})`);
    }
    const spec: ParamSpec = { name: p.name, type, required: p.required === true, repeatable: p.repeatable === true };
    if (p.description !== undefined) spec.description = p.description;
    if (p.default !== undefined) {
      checkDefault(where, spec, p.default);
      if (spec.required) fail(where, `param '${p.name}' is required and so cannot have a default`);
      spec.default = p.default;
    }
    return spec;
  });
}

function toClasses(where: string, classes: unknown): string[] {
  if (classes === undefined) return [];
  if (!Array.isArray(classes)) fail(where, 'classes must be an array of URIs');
  const out: string[] = [];
  for (const raw of classes) {
    const uri = parseServiceId(raw as string);
    if (isParseError(uri)) fail(where, `class ${String(raw)}: ${uri.error}`);
    if (!out.includes(uri)) out.push(uri);
  }
  return out;
}

function toHandlers(where: string, options: ServiceOptions): Partial<Record<HttpMethod, ServiceHandler>> {
  const map: Partial<Record<string, unknown>> = 'methods' in options && options.methods !== undefined
    ? options.methods
    : { [(options as SingleMethodOptions).method ?? 'GET']: (options as SingleMethodOptions).handler };
  const handlers: Partial<Record<HttpMethod, ServiceHandler>> = {};
  for (const [method, handler] of Object.entries(map)) {
    if (!(HTTP_METHODS as readonly string[]).includes(method)) {
      fail(where, `method '${method}' is not supported (supported: ${HTTP_METHODS.join(', ')})`);
    }
    if (typeof handler !== 'function') fail(where, `the handler for ${method} is not a function`);
    handlers[method as HttpMethod] = handler as ServiceHandler;
  }
  if (Object.keys(handlers).length === 0) fail(where, 'a service needs at least one method');
  return handlers;
}

/**
 * Describes a service as data. Definitions are checked here, when the module is loaded at start;
 * a problem throws `AKR_ERR_SERVICE_DEFINITION` naming the service.
 *
 * @example
 * export default defineService({
 *   id: 'http://example.org/services/hello',
 *   path: '/hello',
 *   params: [{ name: 'name', required: true }],
 *   description: 'Greets someone',
 *   handler: ({ params }) => `Hello, ${params.name}!`,
 * })
 */
export function defineService(options: ServiceOptions): ServiceDefinition {
  if (typeof options !== 'object' || options === null) fail('defineService', 'expects an options object');
  const id = parseServiceId(options.id);
  if (isParseError(id)) fail('service with a bad id', id.error);
  const where = `service ${id}`;
  const rawPaths = Array.isArray(options.path) ? options.path : [options.path];
  if (rawPaths.length === 0) fail(where, 'a service needs at least one mount path');
  const paths: MountPath[] = [];
  for (const raw of rawPaths) {
    const path = parseMountPath(raw);
    if (isParseError(path)) fail(where, path.error);
    if (paths.includes(path)) fail(where, `mount path '${path}' is listed twice`);
    paths.push(path);
  }
  if (options.contentType !== undefined && (typeof options.contentType !== 'string' || !options.contentType.includes('/'))) {
    fail(where, `contentType '${String(options.contentType)}' is not a media type`);
  }
  const handlers = toHandlers(where, options);
  const classes = toClasses(where, options.classes);
  const descriptor: Omit<ServiceDescriptor, 'module'> = {
    id,
    paths,
    methods: HTTP_METHODS.filter((m) => handlers[m] !== undefined),
    params: toParamSpecs(where, options.params),
    additionalParams: options.additionalParams === true,
    ...(options.subPaths === true ? { subPaths: true } : {}),
    classes,
    description: options.description ?? '',
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
  };
  return Object.freeze({ [kService]: true as const, descriptor: Object.freeze(descriptor), handlers: Object.freeze(handlers) });
}
