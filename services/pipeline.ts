import type { HttpMethod } from '../schemas/service.js';
import { hasSourceTree } from './body.js';
import type { ServiceContext } from './context.js';
import { defineService, type ServiceBody, type ServiceDefinition, type ServiceRequest, type ServiceResponse } from './define-service.js';
import { AkaraError } from './errors.js';
import { invokeService } from './invoke.js';
import { parseParams } from './params.js';
import type { Registry } from './registry.js';

/** A stage: a service by id, with its query parameters (`{ '@xslt': '/docs/list.xsl', min: '10' }`). */
export interface PipelineStage {
  service: string;
  params?: Record<string, string | string[]>;
}

export interface PipelineOptions {
  id: string;
  path: string | string[];
  description?: string;
  stages: PipelineStage[];
}

/** The most stages a pipeline may have, and the most output a trace shows per stage. */
export const MAX_STAGES = 32;
const TRACE_OUTPUT_CHARS = 64 * 1024;

const kPipeline = Symbol.for('akara.pipeline');

interface PipelineState {
  stages: readonly PipelineStage[];
  registry?: Registry<ServiceDefinition>;
}

function stageQuery(stage: PipelineStage): Array<[string, string]> {
  return Object.entries(stage.params ?? {}).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v): [string, string] => [name, v]) : [[name, value] as [string, string]]));
}

type StageTrace = {
  stage: number;
  service: string;
  params: Array<[string, string]>;
  status: number;
  contentType: string | null;
  durationMs: number;
  /** Whether the output was offered to the next stage as a tree too (stages reading XML with ctx.parseXml take it, if it can be had). */
  outputTree: boolean;
  output: string;
};

/** Runs the stages in this worker: the first gets the client's method, query and body; each next one the previous output. */
async function runStages(state: PipelineState, id: string, req: ServiceRequest, res: ServiceResponse, ctx: ServiceContext): Promise<ServiceBody> {
  const registry = state.registry!;
  const trace = req.query.some(([name, value]) => name === 'trace' && value !== '0' && value !== 'false');
  if (trace && !ctx.config.pipelineTrace) throw new AkaraError('AKR_ERR_PARAM_UNKNOWN', { param: 'trace' });
  const clientQuery = req.query.filter(([name]) => name !== 'trace');
  const traces: StageTrace[] = [];
  let body = req.body;
  let contentType = req.contentType;
  let headers: Array<[string, string]> = [];
  for (const [i, stage] of state.stages.entries()) {
    const definition = registry.get(stage.service)!;
    const method: HttpMethod = i === 0 ? req.method : 'POST';
    const query = i === 0 ? [...clientQuery, ...stageQuery(stage)] : stageQuery(stage);
    const started = performance.now();
    let result;
    try {
      const { params } = parseParams(definition.descriptor, new URLSearchParams(query));
      result = await invokeService(definition, {
        ...req,
        serviceId: definition.descriptor.id,
        method,
        params,
        query,
        pathInfo: i === 0 ? req.pathInfo : '',
        ...(body === undefined ? {} : { body }),
        ...(contentType === undefined ? {} : { contentType }),
      }, ctx);
    } catch (err) {
      if (!(err instanceof AkaraError)) throw err;
      throw new AkaraError(err.code, { ...err.detail, pipeline: id, stage: i + 1, stageService: stage.service }, {
        cause: err, status: err.status, message: `Pipeline stage ${i + 1} (${stage.service}): ${err.message}`,
      });
    }
    const type = result.headers.find(([name]) => name === 'content-type')?.[1];
    if (trace) {
      const text = new TextDecoder().decode(result.body);
      traces.push({ stage: i + 1, service: stage.service, params: query, status: result.status, contentType: type ?? null,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        outputTree: i < state.stages.length - 1 && hasSourceTree(result.body), output: text.length > TRACE_OUTPUT_CHARS ? `${text.slice(0, TRACE_OUTPUT_CHARS)}…` : text });
    }
    if (result.status >= 400) {
      if (trace) break;
      throw new AkaraError('AKR_ERR_SERVICE_REJECTED', { pipeline: id, stage: i + 1, stageService: stage.service, reason: `Pipeline stage ${i + 1} (${stage.service}) answered ${result.status}` }, { status: result.status < 500 ? result.status : 422 });
    }
    body = result.body;
    contentType = type;
    headers = result.headers;
  }
  if (trace) return { pipeline: id, stages: traces };
  for (const [name, value] of headers) if (name === 'content-type') res.header(name, value);
  return body ?? new Uint8Array(0);
}

/**
 * A pipeline: a service whose stages are other services (by id), run one after the other in one worker
 * task. Listed at `/` like any service; its stage references are checked when the server starts.
 *
 * @example
 * export default definePipeline({
 *   id: 'http://example.org/pipelines/catalog-json',
 *   path: '/catalog.json',
 *   stages: [
 *     { service: 'http://purl.org/akara/services/builtin/xslt', params: { '@xslt': 'catalog-summary' } },
 *     { service: 'http://purl.org/akara/services/builtin/xml2json' },
 *   ],
 * })
 */
export function definePipeline(options: PipelineOptions): ServiceDefinition {
  const stages = Array.isArray(options.stages) ? options.stages : [];
  if (stages.length === 0 || stages.length > MAX_STAGES) {
    throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', { where: `pipeline ${options.id}`, reason: `a pipeline needs 1 to ${MAX_STAGES} stages` });
  }
  const state: PipelineState = { stages };
  const handler = (req: ServiceRequest, res: ServiceResponse, ctx: ServiceContext) => runStages(state, options.id, req, res, ctx);
  const definition = defineService({
    id: options.id,
    path: options.path,
    description: options.description ?? `Pipeline: ${stages.map((s) => s.service).join(' -> ')}`,
    additionalParams: true,
    methods: { GET: handler, POST: handler },
  });
  return Object.assign(Object.create(definition) as ServiceDefinition, { [kPipeline]: state });
}

function stateOf(definition: ServiceDefinition): PipelineState | undefined {
  return (definition as unknown as Record<symbol, PipelineState | undefined>)[kPipeline];
}

/**
 * Checks every pipeline's stages against the registry (each must exist, the first must take the methods
 * clients call it with, every later one POST) and binds them to it. Throws AKR_ERR_SERVICE_DEFINITION
 * naming the pipeline and the stage.
 */
export function bindPipelines(registry: Registry<ServiceDefinition>): void {
  for (const definition of registry.all()) {
    const state = stateOf(definition);
    if (!state) continue;
    const where = `pipeline ${definition.descriptor.id}`;
    state.stages.forEach((stage, i) => {
      const target = registry.get(stage.service);
      if (!target) throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', { where, reason: `stage ${i + 1} names ${stage.service}, which no module defines` });
      if (stateOf(target)) throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', { where, reason: `stage ${i + 1} is a pipeline (${stage.service}); pipelines do not nest` });
      if (i > 0 && !target.handlers.POST) throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', { where, reason: `stage ${i + 1} (${stage.service}) takes the previous output as a body, but has no POST` });
    });
    state.registry = registry;
  }
}
