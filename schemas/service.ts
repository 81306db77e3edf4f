/**
 * Service descriptors: what the master knows of a service (all of a definition but its handlers).
 * They are plain data, built in a worker thread from the modules and sent to the master.
 */

/** A service's identity: an absolute URI, kept in its canonical (WHATWG URL) form. */
export type ServiceId = string & { readonly __brand: 'ServiceId' };

/** A mount point: an absolute URL path such as `/akara.echo` or `/catalog/v2`, no trailing slash. */
export type MountPath = string & { readonly __brand: 'MountPath' };

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** The methods whose requests carry a body. */
export const METHODS_WITH_BODY: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'uri'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export type ParamScalar = string | number | boolean;
export type ParamValue = ParamScalar | ParamScalar[];

export interface ParamSpec {
  name: string;
  type: ParamType;
  required: boolean;
  repeatable: boolean;
  default?: ParamValue;
  description?: string;
}

export interface ServiceDescriptor {
  id: ServiceId;
  paths: MountPath[];
  methods: HttpMethod[];
  params: ParamSpec[];
  /** Whether query parameters the service does not declare are accepted (they reach it as `query`). */
  additionalParams: boolean;
  /** Whether it answers for paths below its mount (`pathInfo`), as a resource space does. */
  subPaths?: boolean;
  /** The service classes (URIs) it implements, for lookups by class. */
  classes: string[];
  contentType?: string;
  description: string;
  /** The module that defined it, for messages. */
  module: string;
}
