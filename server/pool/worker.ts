/**
 * The worker-thread entry: loads the service modules once per thread and runs tasks. It imports only
 * what a worker needs (service code, engines, schemas), never the HTTP server.
 */
import { Piscina } from 'piscina';
import { workerData } from 'node:worker_threads';
import type { AkaraConfig } from '../../schemas/config.js';
import type { ServiceDescriptor } from '../../schemas/service.js';
import type { InvokeResult, InvokeTask, WorkerReply, WorkerTask } from '../../schemas/wire.js';
import { createContext, type WorkerTools } from '../../services/context.js';
import type { ServiceDefinition } from '../../services/define-service.js';
import { AkaraError, toWireError } from '../../services/errors.js';
import { invokeService } from '../../services/invoke.js';
import { loadServices } from '../../services/loader.js';
import { localDispatch } from '../../services/local-dispatch.js';
import type { Registry } from '../../services/registry.js';
import { ServicesClient } from '../../services/manager/client.js';
import { definePipeline } from '../../services/pipeline.js';
import { Resolver } from '../../services/resolver/resolver.js';
import { resourceSpaceServices } from '../../services/builtin/resource-space.js';
import { XsltProcessorEngine } from '../../services/xslt/xslt-processor-engine.js';

const { config } = workerData as { config: AkaraConfig };
const tools: WorkerTools = { config, xslt: new XsltProcessorEngine(config.xml), resolver: new Resolver(config), services: new ServicesClient(config.manager) };

async function load(): Promise<Registry<ServiceDefinition>> {
  const services = await loadServices(config.modules, [...resourceSpaceServices(config.resources), ...config.pipelines.map((p) => definePipeline(p))]);
  tools.resolver.setLocalDispatch(localDispatch(services, tools));
  return services;
}

// Loading starts with the thread, and piscina counts the thread ready (so a task's time budget starts)
// only once it has settled. A failure is answered to the first task, the master's describe.
const registry: Promise<Registry<ServiceDefinition>> = load();
registry.catch(() => {});

async function invoke(services: Registry<ServiceDefinition>, task: InvokeTask): Promise<InvokeResult> {
  const definition = services.get(task.serviceId);
  if (!definition) throw new AkaraError('AKR_ERR_SERVICE_UNKNOWN', { service: task.serviceId });
  return invokeService(definition, {
    serviceId: definition.descriptor.id,
    method: task.method,
    params: task.params,
    query: task.query,
    pathInfo: task.pathInfo,
    headers: task.headers,
    requestId: task.requestId,
    ...(task.body === undefined ? {} : { body: task.body }),
    ...(task.contentType === undefined ? {} : { contentType: task.contentType }),
  }, createContext(tools, { publicRoot: task.publicRoot, origin: task.origin, serverUrl: task.serverUrl, depth: 0, requestId: task.requestId }));
}

function describe(services: Registry<ServiceDefinition>): ServiceDescriptor[] {
  return services.all().map((s) => ({ ...s.descriptor, module: services.moduleOf(s.descriptor.id) ?? '' }));
}

async function run(task: WorkerTask): Promise<unknown> {
  try {
    const services = await registry!;
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

export default registry.then(() => run, () => run);
