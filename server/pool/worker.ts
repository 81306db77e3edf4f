/**
 * The worker-thread entry: loads the service modules once per thread and runs tasks. It imports only
 * what a worker needs (service code, engines, schemas), never the HTTP server.
 */
import { Piscina } from 'piscina';
import { workerData } from 'node:worker_threads';
import type { ServiceDescriptor } from '../../schemas/service.js';
import type { InvokeResult, InvokeTask, WorkerReply, WorkerTask } from '../../schemas/wire.js';
import { encodeBody } from '../../services/body.js';
import type { ServiceDefinition, ServiceRequest } from '../../services/define-service.js';
import { AkaraError, toWireError } from '../../services/errors.js';
import { loadServices } from '../../services/loader.js';
import type { Registry } from '../../services/registry.js';

const { modules } = workerData as { modules: string[] };
let registry: Promise<Registry<ServiceDefinition>> | undefined;

async function invoke(services: Registry<ServiceDefinition>, task: InvokeTask): Promise<InvokeResult> {
  const definition = services.get(task.serviceId);
  const handler = definition?.handlers[task.method];
  if (!definition || !handler) throw new AkaraError('AKR_ERR_SERVICE_UNKNOWN', { service: task.serviceId });
  let status = 200;
  const headers = new Map<string, string>();
  const request: ServiceRequest = {
    serviceId: definition.descriptor.id,
    method: task.method,
    params: task.params,
    query: task.query,
    pathInfo: task.pathInfo,
    headers: task.headers,
    requestId: task.requestId,
    ...(task.body === undefined ? {} : { body: task.body }),
    ...(task.contentType === undefined ? {} : { contentType: task.contentType }),
  };
  const body = await handler(request, {
    status(code) {
      if (!Number.isInteger(code) || code < 200 || code > 599) throw new TypeError(`status ${code} is not an HTTP status from 200 to 599`);
      status = code;
    },
    header(name, value) {
      headers.set(name.toLowerCase(), String(value));
    },
  });
  const { bytes, inferredType } = encodeBody(body);
  if (!headers.has('content-type')) {
    const type = definition.descriptor.contentType ?? inferredType;
    if (type !== undefined) headers.set('content-type', type);
  }
  return { status, headers: [...headers], body: bytes };
}

function describe(services: Registry<ServiceDefinition>): ServiceDescriptor[] {
  return services.all().map((s) => ({ ...s.descriptor, module: services.moduleOf(s.descriptor.id) ?? '' }));
}

export default async function run(task: WorkerTask): Promise<unknown> {
  try {
    registry ??= loadServices(modules);
    const services = await registry;
    if (task.kind === 'describe') return { ok: true, value: describe(services) } satisfies WorkerReply<ServiceDescriptor[]>;
    const value = await invoke(services, task);
    const reply: WorkerReply<InvokeResult> = { ok: true, value };
    // Hand over the body's memory instead of copying it, when the bytes own their whole buffer.
    const buffer = value.body.buffer;
    if (buffer instanceof ArrayBuffer && value.body.byteOffset === 0 && buffer.byteLength === value.body.byteLength && buffer.byteLength > 0) {
      const movable = { [Piscina.transferableSymbol]: buffer, [Piscina.valueSymbol]: reply };
      return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]);
    }
    return reply;
  } catch (err) {
    const service = task.kind === 'invoke' ? task.serviceId : 'loader';
    return { ok: false, error: toWireError(err, 'AKR_ERR_SERVICE_FAILED', { service }) } satisfies WorkerReply<never>;
  }
}
