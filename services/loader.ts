import { isServiceDefinition, type ServiceDefinition } from './define-service.js';
import { AkaraError } from './errors.js';
import { importModule } from './import-module.js';
import { bindPipelines } from './pipeline.js';
import { Registry } from './registry.js';

/** The built-in services, loaded by every server before the configured modules. */
export const BUILTIN_MODULES: readonly string[] = [
  new URL('./builtin/echo.js', import.meta.url).href,
  new URL('./builtin/xslt.js', import.meta.url).href,
  new URL('./builtin/validate.js', import.meta.url).href,
  new URL('./builtin/xpath.js', import.meta.url).href,
  new URL('./builtin/xml-json.js', import.meta.url).href,
];

function collect(value: unknown, into: ServiceDefinition[]): void {
  if (isServiceDefinition(value)) into.push(value);
  else if (Array.isArray(value)) for (const item of value) collect(item, into);
}

/**
 * Registers the services the config defines (resource spaces), then imports the service modules (built-ins first) and registers every service each exports, as a default
 * or named export, alone or in an array. A module that fails to import or exports no service throws
 * `AKR_ERR_MODULE_LOAD`; a bad or duplicate definition throws `AKR_ERR_SERVICE_DEFINITION` naming the module.
 */
export async function loadServices(modules: readonly string[], fromConfig: readonly ServiceDefinition[] = []): Promise<Registry<ServiceDefinition>> {
  const registry = new Registry<ServiceDefinition>();
  for (const definition of fromConfig) registry.add(definition, 'config');
  for (const specifier of [...BUILTIN_MODULES, ...modules]) {
    let ns: Record<string, unknown>;
    try {
      ns = await importModule(specifier);
    } catch (err) {
      if (err instanceof AkaraError && err.code === 'AKR_ERR_SERVICE_DEFINITION') {
        throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', { ...err.detail, where: `module ${specifier}, ${err.detail.where}` }, { cause: err });
      }
      const reason = err instanceof Error ? err.message : String(err);
      throw new AkaraError('AKR_ERR_MODULE_LOAD', { module: specifier, reason }, { cause: err });
    }
    const found: ServiceDefinition[] = [];
    for (const value of Object.values(ns)) collect(value, found);
    if (found.length === 0) {
      throw new AkaraError('AKR_ERR_MODULE_LOAD', { module: specifier, reason: 'it exports no service (export the result of defineService)' });
    }
    for (const definition of new Set(found)) registry.add(definition, specifier);
  }
  bindPipelines(registry);
  return registry.seal();
}
