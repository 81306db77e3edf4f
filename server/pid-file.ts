import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { AkaraConfig } from '../schemas/config.js';
import { AkaraError } from '../services/errors.js';

export interface PidInfo {
  pid: number;
  /** Set once the server listens. */
  url?: string;
  configFile?: string;
}

/** The PID file of the server for a config's port (one server per port). */
export function pidFilePath(config: Pick<AkaraConfig, 'runDir' | 'port'>): string {
  return join(config.runDir, `akara-${config.port}.pid`);
}

/** The background server's log file, beside its PID file. */
export function logFilePath(config: Pick<AkaraConfig, 'runDir' | 'port'>): string {
  return join(config.runDir, `akara-${config.port}.log`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running server's PID file content, or undefined when none runs (a stale file is removed). */
export function readPidFile(file: string): PidInfo | undefined {
  let info: PidInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as PidInfo;
  } catch {
    return undefined;
  }
  if (typeof info.pid === 'number' && isAlive(info.pid)) return info;
  rmSync(file, { force: true });
  return undefined;
}

/**
 * Claims the PID file for this process, refusing when a live server holds it (AKR_ERR_ALREADY_RUNNING).
 * The file is created exclusively, so two servers starting at once cannot both claim it.
 */
export function claimPidFile(file: string, info: PidInfo, address: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, JSON.stringify(info));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPidFile(file);
      if (holder && holder.pid !== process.pid) throw new AkaraError('AKR_ERR_ALREADY_RUNNING', { address, pid: holder.pid });
      rmSync(file, { force: true });
    }
  }
  throw new AkaraError('AKR_ERR_ALREADY_RUNNING', { address, pid: '?' });
}

export function updatePidFile(file: string, info: PidInfo): void {
  writeFileSync(file, JSON.stringify(info));
}

/** Removes the PID file if it is this process's. */
export function releasePidFile(file: string): void {
  const info = readPidFile(file);
  if (info?.pid === process.pid) rmSync(file, { force: true });
}
