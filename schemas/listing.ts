import { z } from 'zod';

/**
 * The service listing (`GET /` with `Accept: application/json`). The XML form (the default) carries the
 * same data; its shape is `schemas/listing.rnc`.
 */
export const ListingPathSchema = z.object({
  path: z.string().startsWith('/'),
  /** An OpenSearch-style URL template: `{name}` for a required param, `{name?}` for an optional one. */
  template: z.url(),
});

export const ListingParamSchema = z.object({
  name: z.string().min(1),
  type: z.enum(['string', 'integer', 'number', 'boolean', 'uri']),
  required: z.boolean(),
  repeatable: z.boolean(),
});

export const ListingServiceSchema = z.object({
  id: z.string().min(1),
  paths: z.array(ListingPathSchema).min(1),
  methods: z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])).min(1),
  params: z.array(ListingParamSchema),
  contentType: z.string().optional(),
  description: z.string(),
  /** The service classes it implements (absent when none). */
  classes: z.array(z.string()).optional(),
});

export const ListingSchema = z.object({
  services: z.array(ListingServiceSchema),
});

export type Listing = z.infer<typeof ListingSchema>;
export type ListingService = z.infer<typeof ListingServiceSchema>;
