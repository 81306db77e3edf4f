/**
 * The one table of Akara error codes: each stable code with its HTTP status and a message template.
 * `{name}` placeholders are filled from the error's detail. Callers branch on `code`, never on text.
 */
export const ERROR_CODES = {
  // Requests a client can fix
  AKR_ERR_NOT_FOUND: { status: 404, message: 'No service is mounted at {path}' },
  AKR_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'Method {method} is not allowed here; allowed: {allow}' },
  AKR_ERR_PARAM_REPEATED: { status: 400, message: "Query parameter '{param}' may be given only once" },
  AKR_ERR_PARAM_MISSING: { status: 400, message: "Query parameter '{param}' is required" },
  AKR_ERR_PARAM_UNKNOWN: { status: 400, message: "Query parameter '{param}' is not known to this service" },
  AKR_ERR_PARAM_INVALID: { status: 400, message: "Query parameter '{param}' must be {expected}" },
  AKR_ERR_SERVICE_UNKNOWN: { status: 404, message: 'No service has the id {service}' },
  AKR_ERR_SERVICE_REJECTED: { status: 400, message: '{reason}' },
  AKR_ERR_BAD_REQUEST: { status: 400, message: 'The request could not be parsed' },
  AKR_ERR_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
  AKR_ERR_BODY_TOO_LARGE: { status: 413, message: 'The request body exceeds the limit of {limit} bytes' },
  AKR_ERR_HEADERS_TOO_LARGE: { status: 431, message: 'The request headers exceed the limit of {limit}' },

  // Documents and transforms
  AKR_ERR_XML_MALFORMED: { status: 422, message: 'The XML is not well-formed at line {line}, column {column}: {reason}' },
  AKR_ERR_XML_DTD_FORBIDDEN: { status: 422, message: 'The document declares entities or an external DTD, which are refused (line {line}, column {column})' },
  AKR_ERR_XML_LIMIT: { status: 413, message: 'The XML exceeds the limit on {what} ({limit})' },
  AKR_ERR_XSLT_COMPILE: { status: 422, message: 'The stylesheet {uri} does not compile: {reason}' },
  AKR_ERR_XSLT_RUNTIME: { status: 422, message: 'The transform failed: {reason}' },
  AKR_ERR_XPATH_INVALID: { status: 400, message: 'The XPath expression does not evaluate: {reason}' },
  AKR_ERR_JSON_MALFORMED: { status: 422, message: 'The JSON is not valid: {reason}' },
  AKR_ERR_URI_DENIED: { status: 403, message: 'The URI {uri} is refused by the fetch policy: {reason}' },
  AKR_ERR_URI_INVALID: { status: 400, message: "'{uri}' is not a URI that can be fetched: {reason}" },
  AKR_ERR_UPSTREAM: { status: 502, message: 'Fetching {uri} failed: {reason}' },
  AKR_ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'Fetching {uri} took longer than {limitMs} ms' },
  AKR_ERR_FETCH_TOO_LARGE: { status: 413, message: 'The resource {uri} exceeds the limit of {limit} bytes' },
  AKR_ERR_RESOURCE_NOT_FOUND: { status: 404, message: 'No document at {path}' },
  AKR_ERR_PATH_FORBIDDEN: { status: 403, message: 'The path {path} leaves its resource space' },
  AKR_ERR_XML_ENCODING: { status: 422, message: 'The document is not valid {encoding}, or that encoding is not supported' },

  // The services manager
  AKR_ERR_NO_PROVIDER: { status: 503, message: 'No available instance provides {class}' },
  AKR_ERR_PEER_FAILED: { status: 502, message: 'The instance {provider} failed: {reason}' },
  AKR_ERR_PEER_TIMEOUT: { status: 504, message: 'The instance {provider} did not answer within {limitMs} ms' },

  // Triggers
  AKR_ERR_TRIGGER_VETO: { status: 422, message: 'The trigger {trigger} refused: {reason}' },
  AKR_ERR_TRIGGER_FAILED: { status: 503, message: 'The trigger {trigger} failed and fails closed: {reason}' },

  AKR_ERR_EVENT_REJECTED: { status: 401, message: 'The event is refused: {reason}' },
  AKR_ERR_UNAUTHORIZED: { status: 401, message: 'This needs the admin token (Authorization: Bearer ...)' },
  AKR_ERR_DEAD_LETTER_UNKNOWN: { status: 404, message: 'No dead letter has the id {id}' },
  AKR_ERR_SUBSCRIPTION_UNKNOWN: { status: 404, message: 'No subscription has the id {id}' },
  AKR_ERR_SUBSCRIPTION_LIMIT: { status: 409, message: 'There are already {limit} webhook subscriptions (deliveries.maxSubscriptions); remove one first' },

  // The server's own bounds
  AKR_ERR_POOL_SATURATED: { status: 503, message: 'All workers are busy and the queue is full; retry later' },
  AKR_ERR_POOL_UNAVAILABLE: { status: 503, message: 'No worker pool is ready to take the request; retry later' },
  AKR_ERR_TASK_TIMEOUT: { status: 504, message: 'The task ran past its time budget of {limitMs} ms and was stopped' },
  AKR_ERR_TASK_MEMORY: { status: 507, message: 'The task ran past its memory budget of {limitMb} MB and was stopped' },
  AKR_ERR_TASK_ABORTED: { status: 499, message: 'The client closed the connection; the task was stopped' },
  AKR_ERR_WORKER_CRASHED: { status: 502, message: 'The worker process running the task died; the request was not completed' },
  AKR_ERR_SERVICE_FAILED: { status: 500, message: 'The service {service} failed while handling the request' },
  AKR_ERR_INTERNAL: { status: 500, message: 'An internal error occurred' },

  // Start-up and definitions (reported on the console, never over HTTP)
  AKR_ERR_CONFIG_INVALID: { status: 500, message: 'The configuration is not valid:\n{problems}' },
  AKR_ERR_CONFIG_LOAD: { status: 500, message: 'The configuration file {file} could not be loaded: {reason}' },
  AKR_ERR_SERVICE_DEFINITION: { status: 500, message: '{where}: {reason}' },
  AKR_ERR_MODULE_LOAD: { status: 500, message: 'Service module {module} could not be loaded: {reason}' },
  AKR_ERR_ALREADY_RUNNING: { status: 500, message: 'An Akara server is already running on {address} (pid {pid})' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Values an error may carry to fill its message and to locate the problem for the client. */
export type ErrorDetail = Record<string, string | number | boolean | undefined>;

/** An error as data: how errors cross thread and process boundaries (classes do not survive cloning). */
export interface WireError {
  code: ErrorCode;
  message: string;
  detail?: ErrorDetail;
  /** For AKR_ERR_SERVICE_REJECTED: the 4xx status the service chose. */
  status?: number;
  /** Kept for the server log only; never sent to a client. */
  stack?: string;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
