/**
 * Module hooks (node:module register) that bound Ink's text caches as its modules load: see
 * ink-caches.ts. Registered by the CLI just before it imports the UI; headless commands never
 * load Ink, so they never register it.
 */
import { boundInkCaches, isInkCacheModule } from './ink-caches.js';

interface Loaded {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

export async function load(url: string, context: unknown, nextLoad: (url: string, context: unknown) => Promise<Loaded>): Promise<Loaded> {
  const r = await nextLoad(url, context);
  if (!isInkCacheModule(url) || r.source === undefined || r.source === null) return r;
  const text = typeof r.source === 'string' ? r.source : new TextDecoder().decode(r.source as Uint8Array);
  return { ...r, source: boundInkCaches(url, text).source };
}
