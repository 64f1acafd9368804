/**
 * Fuzzy search (fuse.js) over the one-line descriptions of the connections, for bare words that
 * are no field value. The index is built lazily, once per target (and again if the target grew),
 * and the search runs once at compile time: the row test is then a bitmap lookup.
 */
import Fuse from 'fuse.js';
import type { FilterTarget } from './target.js';

interface Cached {
  count: number;
  fuse: Fuse<string>;
}

const cache = new WeakMap<FilterTarget, Cached>();

/**
 * A tighter threshold than fuse's default 0.6, which on short words matches nearly any line;
 * location is ignored because the word may sit anywhere in the description.
 */
const OPTIONS = { threshold: 0.3, ignoreLocation: true, isCaseSensitive: false, shouldSort: false } as const;

function indexFor(t: FilterTarget): Fuse<string> {
  const c = cache.get(t);
  if (c !== undefined && c.count === t.count) return c.fuse;
  const docs = new Array<string>(t.count);
  for (let i = 0; i < t.count; i++) docs[i] = t.describe(i);
  const fuse = new Fuse(docs, OPTIONS);
  cache.set(t, { count: t.count, fuse });
  return fuse;
}

/** 1 for every connection whose description fuzzily contains `word`. */
export function fuzzyBitmap(t: FilterTarget, word: string): Uint8Array {
  const bm = new Uint8Array(t.count);
  if (word.trim() === '' || t.count === 0) return bm;
  for (const r of indexFor(t).search(word)) bm[r.refIndex] = 1;
  return bm;
}
