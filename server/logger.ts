import { pino, type Logger } from 'pino';
import type { AkaraConfig } from '../schemas/config.js';

export type { Logger };

/** The server's structured logger: JSON lines on standard output, one object per event. */
export function createLogger(config: Pick<AkaraConfig, 'log'>, destination?: pino.DestinationStream): Logger {
  return pino({
    level: config.log.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, destination ?? pino.destination({ fd: 1, sync: false }));
}
