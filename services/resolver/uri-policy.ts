import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { realpath } from 'node:fs/promises';
import { isIP, type LookupFunction } from 'node:net';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FetchConfig } from '../../schemas/config.js';
import { AkaraError } from '../errors.js';
import { isForbiddenAddress } from './address-policy.js';

/** A host as compared: lower case, an IPv6 address without brackets. */
function bareHost(host: string): string {
  return (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase();
}

export type Lookup = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * The one policy every fetched URI goes through: allowed schemes, an optional host allow-list, `file:`
 * only below the configured roots (after following symlinks), and, unless the config allows them, no
 * loopback, private, link-local or unspecified addresses: checked for literal addresses here and, for
 * names, on the addresses DNS gives at connection time (so a name cannot be re-pointed after the check).
 */
export class UriPolicy {
  readonly #config: FetchConfig;
  readonly #roots: readonly string[];
  readonly #lookup: Lookup;
  readonly #privateHosts: ReadonlySet<string>;

  /**
   * @param trustedRoots folders whose files may always be read (resource roots, the transforms folder);
   * files below `config.fileRoots` need the `file` scheme in `config.schemes`.
   * @param options.privateHosts host names or addresses the operator allows on any address, private ones
   *   included (webhook receivers on this machine or network), without allowing private addresses at large.
   */
  constructor(config: FetchConfig, trustedRoots: readonly string[], options: { lookup?: Lookup; privateHosts?: readonly string[] } = {}) {
    this.#config = config;
    this.#roots = config.schemes.includes('file') ? [...trustedRoots, ...config.fileRoots] : trustedRoots;
    this.#lookup = options.lookup ?? (dnsLookup as unknown as Lookup);
    this.#privateHosts = new Set((options.privateHosts ?? []).map(bareHost));
  }

  #privateAllowed(host: string): boolean {
    return this.#config.allowPrivateAddresses || this.#privateHosts.has(bareHost(host));
  }

  #deny(uri: string, reason: string): never {
    throw new AkaraError('AKR_ERR_URI_DENIED', { uri, reason });
  }

  /** Checks a URI before any connection: scheme, host allow-list, literal addresses. */
  check(url: URL): void {
    const scheme = url.protocol.slice(0, -1);
    if (!(this.#config.schemes as readonly string[]).includes(scheme)) this.#deny(url.href, `the scheme '${scheme}' is not allowed`);
    if (scheme === 'file') return;
    if (url.username || url.password) this.#deny(url.href, 'credentials in URIs are not allowed');
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const { allowHosts } = this.#config;
    if (allowHosts.length > 0 && !allowHosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h))) {
      this.#deny(url.href, `the host '${host}' is not in fetch.allowHosts`);
    }
    if (isIP(host) !== 0 && !this.#privateAllowed(host) && isForbiddenAddress(host)) {
      this.#deny(url.href, `the address ${host} is loopback, private, link-local or reserved`);
    }
  }

  /** The file a `file:` URI names, after symlinks, if it lies below a configured root. */
  async filePath(url: URL): Promise<string> {
    if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) this.#deny(url.href, 'only local file: URIs name files');
    let path: string;
    try {
      path = await realpath(fileURLToPath(url));
    } catch {
      throw new AkaraError('AKR_ERR_RESOURCE_NOT_FOUND', { path: url.href });
    }
    for (const root of this.#roots) {
      const real = await realpath(root).catch(() => undefined);
      if (real !== undefined && (path === real || path.startsWith(real + sep))) return path;
    }
    this.#deny(url.href, this.#config.schemes.includes('file') ? 'the file is outside the configured roots' : "the scheme 'file' is not allowed");
  }

  /** A DNS lookup for connections that refuses names resolving to forbidden addresses. */
  readonly guardedLookup: LookupFunction = (hostname, options, callback) => {
    this.#lookup(hostname, { all: true }, (err, addresses) => {
      const cb = callback as unknown as (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
      if (err) return cb(err, []);
      if (!this.#privateAllowed(hostname)) {
        const bad = addresses.find((a) => isForbiddenAddress(a.address));
        if (bad) {
          const refused = Object.assign(new Error(`${hostname} resolves to ${bad.address}, a loopback, private, link-local or reserved address`), { code: 'AKR_ADDRESS_DENIED' });
          return cb(refused, []);
        }
      }
      if ((options as { all?: boolean }).all) return cb(null, addresses);
      const first = addresses[0];
      if (!first) return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      cb(null, first.address, first.family);
    });
  };
}
