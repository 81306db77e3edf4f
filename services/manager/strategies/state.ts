/** What a strategy keeps between calls, one per service class (today: the round-robin position). */
export interface StrategyState {
  rotation: number;
}

/**
 * @example
 * const states = new Map(classes.map((uri) => [uri, createStrategyState()]));
 */
export function createStrategyState(): StrategyState {
  return { rotation: 0 };
}
