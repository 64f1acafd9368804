/**
 * Filter fields over Zeek's lifetime splits of a 4-tuple (flows/zeek-lifetime.ts): `split` (why a
 * row was started instead of joining the tuple's previous one; alone: the row is one of a split
 * tuple) and `related` (the ids of its previous and next rows).
 */
import type { FieldDef, NumField, RowTest } from './fields.js';
import type { FilterTarget } from './target.js';

/** SPLIT_* by index, `none` for the tuple's first row */
export const SPLIT_VALUES = ['none', 'reuse', 'close', 'attempt', 'linger', 'idle'] as const;
const NO_LINKS = new Uint32Array(0);

export const SPLIT_FIELD: NumField = {
  name: 'split',
  type: 'enum',
  description: `why Zeek's rules started this row instead of the 4-tuple's previous one: ${SPLIT_VALUES.join(', ')} (alone: a row of a split 4-tuple)`,
  multi: false,
  values: () => SPLIT_VALUES,
  present: (t) => {
    const from = t.splitFrom ?? NO_LINKS, to = t.splitTo ?? NO_LINKS;
    return (i) => (from[i] ?? 0) !== 0 || (to[i] ?? 0) !== 0;
  },
  lift: (t, p): RowTest => {
    const why = t.splitWhy;
    const table = SPLIT_VALUES.map((_, k) => p(k));
    return (i) => table[why?.[i] ?? 0] === true;
  },
};

/** The ids of row i's split neighbours. */
function relatedOf(t: FilterTarget, i: number): number[] {
  const a = t.splitFrom?.[i] ?? 0, b = t.splitTo?.[i] ?? 0;
  const id = (x: number): number => (t.idOf ? t.idOf(x - 1) : x);
  return a && b ? [id(a), id(b)] : a ? [id(a)] : b ? [id(b)] : [];
}

export const RELATED_FIELD = {
  name: 'related',
  type: 'number',
  description: 'ids of the rows split from the same 4-tuple: the previous and the next (alone: any)',
  multi: true,
  present: (t: FilterTarget): RowTest => (i) => relatedOf(t, i).length > 0,
  lift: (t: FilterTarget, p: (v: number) => boolean, q: 'any' | 'all'): RowTest => (i) => {
    const l = relatedOf(t, i);
    return q === 'any' ? l.some(p) : l.length > 0 && l.every(p);
  },
} as FieldDef;
