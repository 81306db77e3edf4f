import { z } from 'zod';
import { statusesCanMatch, TriggerFilterSchema } from './config.js';

/** `POST /akara/triggers`: a webhook subscription. */
export const SubscriptionRequestSchema = z.strictObject({
  event: z.union([z.enum(['after-invoke', 'invoke-error']), z.string().regex(/^event:[\w.-]{1,100}$/)], { error: "must be 'after-invoke', 'invoke-error' or 'event:{name}'" }),
  filter: TriggerFilterSchema.optional(),
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
  /** The signing secret; one is made (and answered once) when none is given. */
  secret: z.string().min(24, { error: 'must be at least 24 characters' }).optional(),
}).refine((s) => s.filter?.status === undefined || s.event === 'after-invoke' || s.event === 'invoke-error', {
  error: 'only after-invoke and invoke-error subscriptions see a status', path: ['filter', 'status'],
}).refine((s) => statusesCanMatch(s.event, s.filter?.status), {
  error: 'after-invoke sees answers below 400, invoke-error answers of 400 and above: a status here never matches', path: ['filter', 'status'],
});

export type SubscriptionRequest = z.output<typeof SubscriptionRequestSchema>;
