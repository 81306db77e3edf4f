import type { Instance } from '../instance.js';
import { latencyOf, type Order } from './order.js';

/**
 * One scoring rule of the `prefer` strategy; an instance's score is the sum over the rules.
 * - `{ local: 10 }`: 10 for this server's own instance;
 * - `{ tag: 'gpu', score: 5 }`: 5 for instances whose peer has the tag;
 * - `{ weight: 2 }`: 2 × the instance's weight;
 * - `{ latency: -0.1 }`: -0.1 × its recent latency in ms (unknown latency counts as 0).
 */
export type PreferRule = { local: number } | { tag: string; score: number } | { weight: number } | { latency: number };

function ruleScore(rule: PreferRule, instance: Instance): number {
  if ('local' in rule) return instance.local ? rule.local : 0;
  if ('tag' in rule) return instance.tags.includes(rule.tag) ? rule.score : 0;
  if ('weight' in rule) return rule.weight * instance.weight;
  return rule.latency * latencyOf(instance);
}

/**
 * @example
 * preferScore(instance, [{ local: 100 }, { latency: -1 }]) // 100 - latency for the local one
 */
export function preferScore(instance: Instance, rules: readonly PreferRule[]): number {
  return rules.reduce((score, rule) => score + ruleScore(rule, instance), 0);
}

/** Highest score first; ties keep the given order. */
export function prefer(rules: readonly PreferRule[]): Order {
  return function byScore(candidates) {
    const scored = candidates.map((instance) => ({ instance, score: preferScore(instance, rules) }));
    return scored.sort((a, b) => b.score - a.score).map(({ instance }) => instance);
  };
}
