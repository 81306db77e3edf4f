import type { MountPath, ServiceDescriptor, ServiceId } from '../schemas/service.js';
import { AkaraError } from './errors.js';

export interface Mounted<T> {
  entry: T;
  mount: MountPath;
  /** The rest of the path below the mount: '' or '/a/b' (still percent-encoded). */
  pathInfo: string;
}

type Described = { descriptor: Pick<ServiceDescriptor, 'id' | 'paths'> & { module?: string } };

/**
 * The services of one server generation, by id and by mount point. Duplicate ids or mount points are
 * refused when added; once sealed (serving), nothing more can be added. The longest matching mount wins.
 *
 * @example
 * const registry = new Registry<ServiceDefinition>()
 * registry.add(echo, 'builtin:echo')
 * registry.seal()
 * registry.match('/akara.echo/rest') // { entry: echo, mount: '/akara.echo', pathInfo: '/rest' }
 */
export class Registry<T extends Described> {
  readonly #byId = new Map<ServiceId, { entry: T; module: string }>();
  readonly #byPath = new Map<MountPath, { entry: T; module: string }>();
  /** Mounts longest first, for matching. */
  #mounts: MountPath[] = [];
  #sealed = false;

  add(entry: T, module: string): void {
    const { id, paths } = entry.descriptor;
    if (this.#sealed) throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', { where: `module ${module}, service ${id}`, reason: 'the registry is sealed: services cannot be added while serving' });
    const sameId = this.#byId.get(id);
    if (sameId) {
      throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', { where: `module ${module}, service ${id}`, reason: `the id is already defined by module ${sameId.module}` });
    }
    for (const path of paths) {
      const samePath = this.#byPath.get(path);
      if (samePath) {
        throw new AkaraError('AKR_ERR_SERVICE_DEFINITION', {
          where: `module ${module}, service ${id}`,
          reason: `mount path '${path}' is already used by service ${samePath.entry.descriptor.id} (module ${samePath.module})`,
        });
      }
    }
    this.#byId.set(id, { entry, module });
    for (const path of paths) this.#byPath.set(path, { entry, module });
  }

  seal(): this {
    this.#sealed = true;
    this.#mounts = [...this.#byPath.keys()].sort((a, b) => b.length - a.length);
    return this;
  }

  /** The module that registered a service. */
  moduleOf(id: string): string | undefined {
    return this.#byId.get(id as ServiceId)?.module;
  }

  get(id: string): T | undefined {
    return this.#byId.get(id as ServiceId)?.entry;
  }

  /** Every entry, ordered by its first mount path. */
  all(): T[] {
    return [...this.#byId.values()].map((v) => v.entry)
      .sort((a, b) => (a.descriptor.paths[0] ?? '').localeCompare(b.descriptor.paths[0] ?? ''));
  }

  /** The service whose mount is the longest prefix (on a segment boundary) of `path`. */
  match(path: string): Mounted<T> | undefined {
    for (const mount of this.#mounts) {
      if (path === mount || (path.startsWith(mount) && path.charCodeAt(mount.length) === 47 /* '/' */)) {
        return { entry: this.#byPath.get(mount)!.entry, mount, pathInfo: path.slice(mount.length) };
      }
    }
    return undefined;
  }
}
