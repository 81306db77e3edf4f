import { z } from 'zod';

/**
 * The configuration schema. Every field has a default: a config file gives only what it changes.
 * Defaults suit a 2-core machine.
 */

const positiveInt = (max = Number.MAX_SAFE_INTEGER) =>
  z.int({ error: 'must be a positive integer' })
    .min(1, { error: 'must be a positive integer' })
    .max(max, { error: `must be at most ${max}` });

const nonNegativeInt = () =>
  z.int({ error: 'must be a non-negative integer' }).min(0, { error: 'must be a non-negative integer' });

export const PoolConfigSchema = z.strictObject({
  /** Threads kept ready even when idle (Akara's MinSpareServers). */
  minThreads: positiveInt(256).default(1),
  /** The most threads the pool grows to under load (Akara's MaxServers). */
  maxThreads: positiveInt(256).default(2),
  /** A thread above minThreads idle this long is stopped. */
  idleTimeoutMs: positiveInt().default(30_000),
  /** Requests that may wait for a thread; past that, 503 AKR_ERR_POOL_SATURATED. */
  maxQueue: nonNegativeInt().default(64),
  /** A thread is replaced after this many tasks (Akara's MaxRequestsPerServer). */
  maxTasksPerThread: positiveInt().default(10_000),
  /** A task running longer is stopped and its thread replaced: 504 AKR_ERR_TASK_TIMEOUT. */
  taskTimeoutMs: positiveInt().default(30_000),
  /** A thread's heap budget; a task past it is stopped: 507 AKR_ERR_TASK_MEMORY. */
  maxHeapMb: positiveInt(16_384).default(256),
}).superRefine((pool, ctx) => {
  // On the pool itself, so it is reported with the other problems of the config, not only when there are none.
  if (pool.minThreads > pool.maxThreads) {
    ctx.addIssue({ code: 'custom', path: ['minThreads'], message: `must not exceed pool.maxThreads (${pool.maxThreads})` });
  }
});

export const LimitsConfigSchema = z.strictObject({
  /** Largest request body: 413 AKR_ERR_BODY_TOO_LARGE. */
  maxBodyBytes: positiveInt().default(10 * 1024 * 1024),
  /** Largest request head (request line and headers): 431 AKR_ERR_HEADERS_TOO_LARGE. */
  maxHeaderBytes: positiveInt(1024 * 1024).default(16 * 1024),
  /** Most request headers: 431 AKR_ERR_HEADERS_TOO_LARGE. */
  maxHeaders: positiveInt(10_000).default(100),
  /** Time to receive a whole request: 408 AKR_ERR_REQUEST_TIMEOUT. */
  requestTimeoutMs: positiveInt().default(60_000),
  /** Time to receive the request head. */
  headersTimeoutMs: positiveInt().default(20_000),
});

export const XmlLimitsSchema = z.strictObject({
  /** Largest document parsed: 413 AKR_ERR_XML_LIMIT. */
  maxBytes: positiveInt().default(16 * 1024 * 1024),
  /** Deepest element nesting (at most 1024: deeper trees cost the parser and JSON output dearly). */
  maxDepth: positiveInt(1_024).default(256),
  /** Most attributes on one element. */
  maxAttributes: positiveInt(100_000).default(256),
  /** Longest element or attribute name. */
  maxNameLength: positiveInt().default(1_024),
  /** Longest text node or attribute value. */
  maxTextLength: positiveInt().default(8 * 1024 * 1024),
});

export const FetchConfigSchema = z.strictObject({
  /** URI schemes that may be fetched; `file` is allowed only below resource roots, the transforms folder and `fileRoots`. */
  schemes: z.array(z.enum(['http', 'https', 'file'], { error: "must be 'http', 'https' or 'file'" })).default(['http', 'https']),
  /** When not empty, only these hosts (exact, or `*.example.org` for subdomains) may be fetched. */
  allowHosts: z.array(z.string().min(1)).default([]),
  /** Allow loopback, private, link-local and unspecified addresses (off: they are refused after DNS resolution). */
  allowPrivateAddresses: z.boolean({ error: 'must be true or false' }).default(false),
  /** Extra folders whose files `file:` URIs may name. */
  fileRoots: z.array(z.string().min(1)).default([]),
  /** Largest fetched resource: 413 AKR_ERR_FETCH_TOO_LARGE. */
  maxBytes: positiveInt().default(16 * 1024 * 1024),
  /** Time for a whole fetch: 504 AKR_ERR_UPSTREAM_TIMEOUT. */
  timeoutMs: positiveInt().default(10_000),
  /** Redirects followed, each hop checked again. */
  maxRedirects: nonNegativeInt().default(5),
  /** Fetched resources kept per worker, honouring Cache-Control and ETag. */
  cacheEntries: nonNegativeInt().default(256),
});

export const ResourceSpaceSchema = z.strictObject({
  /** Where the space is mounted, e.g. `/docs`. */
  mount: z.string({ error: "must be a path such as '/docs'" }).startsWith('/', { error: "must be a path such as '/docs'" }),
  /** A folder of documents (relative to the config file). */
  root: z.string().min(1).optional(),
  /** An upstream base URL whose documents the space serves. */
  base: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).optional(),
  description: z.string().optional(),
}).refine((space) => (space.root === undefined) !== (space.base === undefined), { error: 'needs exactly one of root or base' });

/** A peer Akara instance whose services become remote providers (its listing is imported and refreshed). */
export const PeerSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
  weight: z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' }).default(1),
  tags: z.array(z.string().min(1)).default([]),
});

export const STRATEGY_NAMES = ['first', 'fallback', 'round-robin', 'weighted', 'least-busy', 'race', 'prefer'] as const;

/** A scoring rule of the `prefer` strategy; an instance's score is the sum of its rules. */
export const PreferRuleSchema = z.union([
  z.strictObject({ local: z.number() }),
  z.strictObject({ tag: z.string().min(1), score: z.number() }),
  z.strictObject({ weight: z.number() }),
  z.strictObject({ latency: z.number() }),
], { error: 'must be one of { local }, { tag, score }, { weight }, { latency }' });

/** How calls to one service class are spread over its instances. */
export const ClassPolicySchema = z.strictObject({
  strategy: z.enum(STRATEGY_NAMES, { error: `must be one of ${STRATEGY_NAMES.join(', ')}` }).default('fallback'),
  /** How many instances a race calls at once. */
  k: positiveInt(16).default(2),
  prefer: z.array(PreferRuleSchema).default([]),
  /** Mounts the class at a path of its own: clients call it like any service. */
  mount: z.string().startsWith('/', { error: "must be a path such as '/validate'" }).optional(),
});

export const ManagerConfigSchema = z.strictObject({
  /** How often peers' listings are imported again. */
  refreshMs: positiveInt().default(30_000),
  /** How often peers' /akara/health is checked; a peer that fails it is out of lookups until it answers. */
  healthIntervalMs: positiveInt().default(5_000),
  healthTimeoutMs: positiveInt().default(2_000),
  /** Time for one call to a remote instance. */
  timeoutMs: positiveInt().default(30_000),
  /** Connections kept per peer. */
  connections: positiveInt(1_024).default(16),
  /** Largest answer read from a peer: 502 past it. */
  maxResponseBytes: positiveInt().default(16 * 1024 * 1024),
  breaker: z.strictObject({
    /** Consecutive failures that open an instance's breaker. */
    failures: positiveInt().default(5),
    /** How long a breaker stays open before letting one trial call through. */
    resetMs: positiveInt().default(10_000),
  }).prefault({}),
  retryBudget: z.strictObject({
    /** Retries allowed as a share of requests over the window. */
    ratio: z.number().min(0).max(1).default(0.2),
    /** Retries per second always allowed. */
    minPerSecond: nonNegativeInt().default(5),
    windowMs: positiveInt().default(10_000),
  }).prefault({}),
  /** Tags of this server's own instances, for `prefer` rules. */
  localTags: z.array(z.string().min(1)).default([]),
  /** The strategy of classes not listed in `classes`. */
  defaultStrategy: z.enum(STRATEGY_NAMES, { error: `must be one of ${STRATEGY_NAMES.join(', ')}` }).default('fallback'),
  /** Per service class (by URI): strategy, race width, prefer rules, an optional mount. */
  classes: z.record(z.string(), ClassPolicySchema).default({}),
});

/** A pipeline defined in the config: a service whose stages are other services, by id. */
export const PipelineSchema = z.strictObject({
  id: z.string().min(1),
  path: z.string().startsWith('/', { error: "must be a path such as '/catalog.json'" }),
  description: z.string().optional(),
  stages: z.array(z.strictObject({
    service: z.string().min(1),
    /** The stage's query parameters, named as the service's. */
    params: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  })).min(1, { error: 'needs at least one stage' }),
});

/** An answer status a trigger takes: a code (404), or a class ('5xx'). */
export const StatusFilterSchema = z.union([
  z.int().min(100).max(599),
  z.enum(['1xx', '2xx', '3xx', '4xx', '5xx']),
], { error: "must be a status code (100-599) or a class such as '5xx'" });

/** Whether every status of a filter can occur on the event (after-invoke: below 400; invoke-error: 400 and above). */
export function statusesCanMatch(event: string, statuses: ReadonlyArray<number | string> | undefined): boolean {
  if (statuses === undefined || (event !== 'after-invoke' && event !== 'invoke-error')) return true;
  const error = (s: number | string) => (typeof s === 'number' ? s >= 400 : s === '4xx' || s === '5xx');
  return statuses.every((s) => error(s) === (event === 'invoke-error'));
}

/** Which invocations a trigger takes; every part given must match. */
export const TriggerFilterSchema = z.strictObject({
  service: z.string().min(1).optional(),
  path: z.string().startsWith('/').max(1_024).optional(),
  /** The answer's status (after-invoke and invoke-error only): any of these. */
  status: z.array(StatusFilterSchema).min(1).max(32).optional(),
});

/** A synchronous trigger: an action (a service or class, by URI) run before or after matching invocations. */
export const TriggerSchema = z.strictObject({
  name: z.string().min(1),
  /**
   * `before-invoke`, `after-invoke` (a successful answer), `invoke-error` (a service that ran and failed or
   * answered 4xx/5xx), `resource-change`, or `event:{name}` (fired at `POST /akara/events/{name}` or by `ctx.emit`).
   */
  event: z.union([z.enum(['before-invoke', 'after-invoke', 'invoke-error', 'resource-change']), z.string().regex(/^event:[\w.-]{1,100}$/)], {
    error: "must be 'before-invoke', 'after-invoke', 'invoke-error', 'resource-change' or 'event:{name}'",
  }),
  /** Which invocations: a service id, a path pattern (`*` matches anything, e.g. '/docs/*'), answer statuses. */
  filter: TriggerFilterSchema.optional(),
  /** The service id or class URI called (by POST, with the request's or answer's body). */
  /** A service id or class URI called by POST, or (async only) a webhook signed as Standard Webhooks. */
  action: z.union([
    z.strictObject({ service: z.string().min(1), params: z.record(z.string(), z.string()).optional() }),
    z.strictObject({
      webhook: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
      /** The signing secret (`whsec_` + base64, or any string of at least 24 characters). */
      secret: z.string().min(24, { error: 'must be at least 24 characters' }),
    }),
  ], { error: 'must be { service, params? } or { webhook, secret }' }),
  /** `sync`: runs before the answer, may veto or modify; `async` (after-invoke only): a durable delivery after it. */
  mode: z.enum(['sync', 'async'], { error: "must be 'sync' or 'async'" }).default('sync'),
  /** The trigger's time budget (sync). */
  timeoutMs: positiveInt().default(2_000),
  /** On a failure or timeout: go on (`open`) or refuse with 503 (`closed`). */
  failure: z.enum(['open', 'closed'], { error: "must be 'open' or 'closed'" }).default('open'),
  /** Consecutive failures after which the trigger is skipped for `quarantineMs`. */
  quarantineAfter: positiveInt().default(5),
  quarantineMs: positiveInt().default(60_000),
}).refine((t) => t.event !== 'before-invoke' || t.mode === 'sync', { error: 'a before-invoke trigger is sync', path: ['mode'] })
  .refine((t) => !(t.event.startsWith('event:') || t.event === 'resource-change' || t.event === 'invoke-error') || t.mode === 'async', { error: 'event:{name}, invoke-error and resource-change triggers are async', path: ['mode'] })
  .refine((t) => t.mode === 'async' || !('webhook' in t.action), { error: "a webhook action needs mode 'async'", path: ['action'] })
  .refine((t) => t.filter?.status === undefined || t.event === 'after-invoke' || t.event === 'invoke-error', { error: 'only after-invoke and invoke-error triggers see a status', path: ['filter', 'status'] })
  .refine((t) => statusesCanMatch(t.event, t.filter?.status), { error: 'after-invoke sees answers below 400, invoke-error answers of 400 and above: a status here never matches', path: ['filter', 'status'] });

/** How asynchronous triggers' deliveries are kept and retried. */
export const DeliveriesConfigSchema = z.strictObject({
  /** Where the outbox (an SQLite file) lives, relative to the config file. */
  dataDir: z.string().min(1).default('.akara/data'),
  /** Attempts before a delivery goes to the dead letters. */
  maxAttempts: positiveInt(1_000).default(8),
  /** The first retry's delay; each next one doubles, up to maxBackoffMs (with ±20% jitter). */
  backoffMs: positiveInt().default(1_000),
  maxBackoffMs: positiveInt().default(5 * 60_000),
  /** Deliveries in flight at once. */
  concurrency: positiveInt(1_024).default(4),
  /** Time for one delivery attempt. */
  timeoutMs: positiveInt().default(10_000),
  /** How often due deliveries are looked for. */
  pollMs: positiveInt().default(250),
  /** How many reactors may chain, each fed by the previous one's answer. */
  maxChainDepth: positiveInt(32).default(4),
  /**
   * Webhook receivers allowed on loopback or private addresses, by host name or address (a receiver on this
   * machine or network). Fetched documents and stylesheets keep `fetch.allowPrivateAddresses`.
   */
  privateTargets: z.array(z.string().min(1).max(253)).max(64).default([]),
  /** Webhook subscriptions kept at once (`POST /akara/triggers`). */
  maxSubscriptions: positiveInt(100_000).default(1_000),
});

export const LogConfigSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  }).default('info'),
  /** One access-log line per request. */
  access: z.boolean({ error: 'must be true or false' }).default(true),
});

export const ConfigSchema = z.strictObject({
  /** The listen address. */
  host: z.string({ error: 'must be a host name or address' }).min(1, { error: 'must be a host name or address' }).default('127.0.0.1'),
  port: z.int({ error: 'must be a port number (0-65535)' })
    .min(0, { error: 'must be a port number (0-65535)' })
    .max(65535, { error: 'must be a port number (0-65535)' }).default(8880),
  /** The absolute URL clients reach this server at, for listing templates; default http://{host}:{port}/. */
  publicRoot: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).optional(),
  /** Service modules: file paths (relative to the config file) or package names. */
  modules: z.array(z.string({ error: 'must be a module path or package name' }).min(1), { error: 'must be a list of module paths or package names' }).default([]),
  pool: PoolConfigSchema.prefault({}),
  limits: LimitsConfigSchema.prefault({}),
  /** Mounted spaces of documents: `GET /{mount}/{path}[?xslt=...]`. */
  resources: z.array(ResourceSpaceSchema).default([]),
  /** The folder of named transforms (`xslt=catalog-html` is `{transforms}/catalog-html.xsl`). */
  transforms: z.string().min(1).optional(),
  /** The policy every fetched URI goes through (sources, stylesheets, imports, document()). */
  fetch: FetchConfigSchema.prefault({}),
  /** Limits for every XML document parsed (bodies, fetched sources, stylesheets). */
  xml: XmlLimitsSchema.prefault({}),
  /** Pipelines: services whose stages are other services. */
  pipelines: z.array(PipelineSchema).default([]),
  /** Whether `?trace=1` on a pipeline answers each stage's output, params and duration. */
  pipelineTrace: z.boolean({ error: 'must be true or false' }).default(false),
  /** Incoming events (`POST /akara/events/{name}`): signed as Standard Webhooks with this secret. */
  events: z.strictObject({
    /**
     * The signing secret; or a list while rotating: any of them verifies an incoming event, and the first
     * signs the events services emit.
     */
    secret: z.union([
      z.string().min(24, { error: 'must be at least 24 characters' }),
      z.array(z.string().min(24, { error: 'must be at least 24 characters' })).min(1, { error: 'must hold a secret' }).max(8, { error: 'must hold at most 8 secrets' }),
    ], {
      error: (issue) => (Array.isArray(issue.input) ? 'must hold 1 to 8 secrets of at least 24 characters each' : 'must be a secret of at least 24 characters, or a list of them'),
    }).transform((secret) => (typeof secret === 'string' ? [secret] : secret)),
    /** How far a `webhook-timestamp` may be from now; also how long delivery ids are remembered. */
    toleranceSeconds: positiveInt(3_600).default(300),
  }).optional(),
  /** The bearer token that the admin routes (dead letters) require; without one they are refused. */
  adminToken: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  /** Triggers around service invocations: synchronous (auditors) and asynchronous (reactors). */
  triggers: z.array(TriggerSchema).default([]),
  deliveries: DeliveriesConfigSchema.prefault({}),
  /** Other Akara instances whose services this one may call (the operator's choice: allowed on private addresses). */
  peers: z.array(PeerSchema).default([]),
  /** The services manager: lookups by class, strategies, breakers, retry budget. */
  manager: ManagerConfigSchema.prefault({}),
  log: LogConfigSchema.prefault({}),
  /** Where the PID file and the background server's log go (relative to the config file). */
  runDir: z.string({ error: 'must be a folder path' }).min(1).default('.akara'),
  /** How long SIGTERM and a reload wait for requests in flight. */
  shutdownTimeoutMs: positiveInt().default(10_000),
});

/** A config file's content: every field optional. */
export type UserConfig = z.input<typeof ConfigSchema>;
/** The validated, complete, frozen config. */
export type AkaraConfig = Readonly<z.output<typeof ConfigSchema>> & { readonly baseDir: string };
export type PoolConfig = z.output<typeof PoolConfigSchema>;
export type LimitsConfig = z.output<typeof LimitsConfigSchema>;
export type XmlLimits = z.output<typeof XmlLimitsSchema>;
export type FetchConfig = z.output<typeof FetchConfigSchema>;
export type ResourceSpace = z.output<typeof ResourceSpaceSchema>;
export type PeerConfig = z.output<typeof PeerSchema>;
export type ManagerConfig = z.output<typeof ManagerConfigSchema>;
export type ClassPolicy = z.output<typeof ClassPolicySchema>;
export type PreferRule = z.output<typeof PreferRuleSchema>;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
export type TriggerConfig = z.output<typeof TriggerSchema>;
export type TriggerFilter = z.output<typeof TriggerFilterSchema>;
export type DeliveriesConfig = z.output<typeof DeliveriesConfigSchema>;
