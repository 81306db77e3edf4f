import type { Listing, ListingService } from '../schemas/listing.js';
import type { ServiceDescriptor } from '../schemas/service.js';

/**
 * The OpenSearch-style URL template of a mount: `{root}{mount}?a={a}&b={b?}`, or `{root}{mount}/{path}?...`
 * for a service that answers below its mount.
 */
export function urlTemplate(root: string, path: string, params: ServiceDescriptor['params'], subPaths = false): string {
  const mount = root.replace(/\/+$/, '') + path;
  const base = subPaths ? `${mount.replace(/\/+$/, '')}/{path}` : mount;
  if (params.length === 0) return base;
  const query = params.map((p) => `${encodeURIComponent(p.name)}={${p.name}${p.required ? '' : '?'}}`);
  return `${base}?${query.join('&')}`;
}

/** The listing data for some services, sorted by path. GET implies HEAD. */
export function buildListing(root: string, services: readonly ServiceDescriptor[]): Listing {
  const entries: ListingService[] = services.map((s) => ({
    id: s.id,
    paths: s.paths.map((path) => ({ path, template: urlTemplate(root, path, s.params, s.subPaths === true) })),
    methods: s.methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] as const : [m])),
    params: s.params.map(({ name, type, required, repeatable }) => ({ name, type, required, repeatable })),
    ...(s.contentType === undefined ? {} : { contentType: s.contentType }),
    description: s.description,
    ...(s.classes.length === 0 ? {} : { classes: [...s.classes] }),
  }));
  entries.sort((a, b) => (a.paths[0]!.path < b.paths[0]!.path ? -1 : 1));
  return { services: entries };
}

/** Escapes text for XML content and double- or single-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

/** Akara's XML listing document. */
export function listingXml(listing: Listing): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<services>\n'];
  for (const s of listing.services) {
    out.push(`  <service ident="${escapeXml(s.id)}">\n`);
    for (const p of s.paths) out.push(`    <path template="${escapeXml(p.template)}">${escapeXml(p.path)}</path>\n`);
    out.push(`    <description>${escapeXml(s.description)}</description>\n`);
    for (const c of s.classes ?? []) out.push(`    <class ident="${escapeXml(c)}"/>\n`);
    out.push('  </service>\n');
  }
  out.push('</services>\n');
  return out.join('');
}
