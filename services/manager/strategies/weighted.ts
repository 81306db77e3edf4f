import type { Instance } from '../instance.js';
import type { Order } from './order.js';

/** Zero, negative or non-finite weights count as 0: such instances come last, in the given order. */
function weightOf(instance: Instance): number {
  return Number.isFinite(instance.weight) && instance.weight > 0 ? instance.weight : 0;
}

/** Draws one index from the pool, each with probability weight / total. */
function draw(pool: readonly Instance[], total: number, random: () => number): number {
  let point = random() * total;
  let last = 0;
  for (const [index, instance] of pool.entries()) {
    const weight = weightOf(instance);
    if (weight === 0) continue;
    if (point < weight) return index;
    point -= weight;
    last = index;
  }
  return last; // only reached through rounding: the point fell past the end by a hair
}

/**
 * A weighted random order: the first is drawn with probability weight / total, the next among the rest,
 * and so on (weighted sampling without replacement), so fallbacks are weighted too. `random` returns
 * numbers in [0, 1) like `Math.random` (tests pass a seeded one).
 */
export function weighted(random: () => number): Order {
  return function weightedRandom(candidates) {
    const pool = [...candidates];
    const order: Instance[] = [];
    for (;;) {
      const total = pool.reduce((sum, instance) => sum + weightOf(instance), 0);
      if (total === 0) return [...order, ...pool];
      order.push(...pool.splice(draw(pool, total, random), 1));
    }
  };
}
