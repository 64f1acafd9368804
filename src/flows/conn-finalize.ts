/**
 * The connection table's last step after reading (ConnTable.finalize): connections renumbered by
 * first-packet time, those merged into another (the same connection at another vantage) gone,
 * every column permuted, and the split links (Zeek's lifetimes) renumbered with them.
 */
import { lazySharedColumn, sharedColumn, osArray, type Column } from './memory.js';
import type { ConnTable } from './conn-table.js';

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
    const id = osArray(Uint32Array, all);
    for (let c = 0; c < all; c++) id[c] = c;
    t.vantageMask = mask;
    return { map: id, moved: false };
  }
  const order: number[] = [];
  for (let c = 0; c < all; c++) if (!mergeInto || mergeInto[c]! < 0) order.push(c);
  const n = order.length;
  order.sort((x, y) => ft[x]! - ft[y]! || x - y);
  const map = osArray(Uint32Array, all);
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
  t.vantage = perm(t.vantage);
  t.origAddr = perm(t.origAddr);
  t.respAddr = perm(t.respAddr);
  t.origPort = perm(t.origPort);
  t.respPort = perm(t.respPort);
  t.firstTs = perm(t.firstTs);
  t.lastTs = perm(t.lastTs);
  t.origPkts = perm(t.origPkts);
  t.respPkts = perm(t.respPkts);
  t.origPayload = perm(t.origPayload);
  t.respPayload = perm(t.respPayload);
  t.flagsOrig = perm(t.flagsOrig);
  t.flagsResp = perm(t.flagsResp);
  t.marks = perm(t.marks);
  t.closeBits = perm(t.closeBits);
  t.flipped = perm(t.flipped);
  t.reused = perm(t.reused);
  t.origIsn = perm(t.origIsn);
  t.splitFrom = perm(t.splitFrom);
  t.splitTo = perm(t.splitTo);
  t.splitWhy = perm(t.splitWhy);
  relink(t.splitFrom, t.splitTo, t.splitWhy, map, n);
  t.connState = perm(t.connState);
  t.teardown = perm(t.teardown);
  t.closedBy = perm(t.closedBy);
  t.anomalies = perm(t.anomalies);
  t.tls = perm(t.tls);
  t.origBytes = perm(t.origBytes);
  t.respBytes = perm(t.respBytes);
  t.histories = order.map((i) => t.histories[i]!);
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
