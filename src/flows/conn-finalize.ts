/**
 * The connection table's last step after reading (ConnTable.finalize): connections renumbered by
 * first-packet time, those merged into another (the same connection at another vantage) gone,
 * every column permuted, and the split links (Zeek's lifetimes) renumbered with them.
 */
import { lazySharedColumn, sharedColumn, osArray, type Column } from './memory.js';
import { GROWN_COLUMNS, type ConnTable, type GrownColumn } from './conn-table.js';

/** Renumber t's connections (see ConnTable.finalize); `moved`: the columns were permuted. */
export function renumberConns(t: ConnTable, mergeInto?: Int32Array): { map: Uint32Array; moved: boolean } {
  const all = t.count;
  // (columns mapped from the OS where most values are zero: a zero is not written, which would
  // take the page)
  const lazy = t.lazyColumns;
  const column = lazy ? lazySharedColumn : sharedColumn;
  const mask = column(t.vantageMask, all);
  for (let c = 0; c < all; c++) {
    const v = t.vantage[c]!;
    const bit = v < 32 ? 1 << v : 0;
    const p = mergeInto && mergeInto[c]! >= 0 ? mergeInto[c]! : c;
    if (bit) mask[p]! |= bit;
    if (p !== c && t.firstTs[c]! < t.firstTs[p]!) t.firstTs[p] = t.firstTs[c]!;
  }
  const ft = t.firstTs;
  // Usual case (one capture in time order, nothing merged): already in order, nothing moves.
  let inOrder = true;
  if (mergeInto) for (let c = 0; c < all && inOrder; c++) inOrder = mergeInto[c]! < 0;
  for (let c = 1; c < all && inOrder; c++) inOrder = ft[c - 1]! <= ft[c]!; // false for NaN: sort then
  if (inOrder) {
    // (the renumbering map is shared: the verdict worker reads it, fw-verdict-thread.ts)
    const id = osArray(Uint32Array, all, true);
    for (let c = 0; c < all; c++) id[c] = c;
    t.vantageMask = mask;
    return { map: id, moved: false };
  }
  const order: number[] = [];
  for (let c = 0; c < all; c++) if (!mergeInto || mergeInto[c]! < 0) order.push(c);
  const n = order.length;
  order.sort((x, y) => ft[x]! - ft[y]! || x - y);
  const map = osArray(Uint32Array, all, true);
  for (let k = 0; k < n; k++) map[order[k]!] = k;
  if (mergeInto) for (let c = 0; c < all; c++) if (mergeInto[c]! >= 0) map[c] = map[mergeInto[c]!]!;
  t.count = n;
  const perm = <T extends Column>(a: T): T => {
    const b = column(a, Math.max(n, 1));
    if (!lazy) for (let k = 0; k < n; k++) b[k] = a[order[k]!]!;
    else {
      for (let k = 0; k < n; k++) {
        const v = a[order[k]!]!;
        // (-0 is not a zero to leave out)
        if (v !== 0 || 1 / v < 0) b[k] = v;
      }
    }
    return b;
  };
  const cols = t as unknown as Record<GrownColumn, Column>;
  for (const k of GROWN_COLUMNS) cols[k] = perm(cols[k]);
  relink(t.splitFrom, t.splitTo, t.splitWhy, map, n);
  // (none has a history yet, as before the analysis pass: none kept)
  const h = t.histories;
  t.histories = h.some((x) => x) ? order.map((i) => h[i] ?? '') : [];
  t.vantageMask = perm(mask);
  return { map, moved: true };
}

/**
 * After renumbering (old index -> new index `map`): the split links hold old ids; make them new
 * ones. Two vantages' rows merged into one may name each other or the same neighbour: a link to
 * itself is dropped.
 */
function relink(from: Uint32Array, to: Uint32Array, why: Uint8Array, map: Uint32Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const a = from[k]!, b = to[k]!;
    if (a > 0) from[k] = map[a - 1]! + 1;
    if (b > 0) to[k] = map[b - 1]! + 1;
    if (from[k] === k + 1) { from[k] = 0; why[k] = 0; }
    if (to[k] === k + 1) to[k] = 0;
  }
}
