/**
 * Ink 6 keeps two module-level caches with no eviction, keyed by the full text of every node it
 * lays out: measureText (a Map) and wrapText (an object). Every distinct row the list ever shows
 * stays in them: ~1.2 KB a row, measured as +30 MB retained after paging through 25 k rows of a
 * 1 M-connection capture (ink issue #986; the bound landed after Ink 6, which needs Node 22).
 * This rewrites the two modules' sources as they load so that each cache is emptied when it
 * reaches CACHE_LIMIT entries; a screen needs a few dozen. Used by ink-cache-hook.ts.
 */
export const CACHE_LIMIT = 2048;

export interface Bounded {
  source: string;
  /** false: the source did not have the expected shape (another Ink version), left as it was */
  patched: boolean;
}

const RULES: { file: RegExp; from: string; to: string }[] = [
  {
    file: /\/ink\/build\/measure-text\.js$/,
    from: '    cache.set(text, dimensions);',
    to: `    if (cache.size >= ${CACHE_LIMIT}) cache.clear();\n    cache.set(text, dimensions);`,
  },
  {
    file: /\/ink\/build\/wrap-text\.js$/,
    from: '    cache[cacheKey] = wrappedText;',
    to: `    if (++cacheEntries > ${CACHE_LIMIT}) { for (const k in cache) delete cache[k]; cacheEntries = 1; }\n    cache[cacheKey] = wrappedText;`,
  },
];

/** Whether `url` is one of the modules this rewrites. */
export const isInkCacheModule = (url: string): boolean => RULES.some((r) => r.file.test(url));

export function boundInkCaches(url: string, source: string): Bounded {
  const rule = RULES.find((r) => r.file.test(url));
  if (!rule || !source.includes(rule.from)) return { source, patched: false };
  let out = source.replace(rule.from, rule.to);
  if (rule.to.includes('cacheEntries')) out = `let cacheEntries = 0;\n${out}`;
  return { source: out, patched: true };
}
