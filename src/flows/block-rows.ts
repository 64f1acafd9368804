/**
 * The verdict pass's packets, found block by block instead of through an index of every row.
 *
 * The pass takes connections in blocks (analyse-range.ts) and wants each connection's rows. An
 * index of all rows by connection (groupByConn: two passes over the conn column, 4 bytes a
 * packet) took ~0.2 s at 10 M packets, on the main thread alone, before either thread could
 * start. But the connections of a block are numbered by first packet, so their packets lie in a
 * window of rows: from the block's first first-packet row to its last last-packet row. Each
 * thread collects the rows of its own block from that window, in one pass over a few chunks of
 * the conn column that stays in cache, placing each row by the block's packet counts.
 *
 * Windows overlap by the connections still open across a block's edge; a capture whose
 * connections span most of it (long sessions in every block) would scan the table once a block,
 * so the plan checks what the windows add up to first, and keeps to the index when it is more
 * than a few passes.
 */
import type { ConnTable } from './conn-table.js';
import { osArray } from './memory.js';
import { CHUNK_ROWS } from './packet-table.js';

/** Rows of each connection's first and last packet, by index before renumbering (PacketAdder.spans). */
export interface RowSpans {
  /** connections made while reading (log-only ones come later and have no rows) */
  count: number;
  first: Uint32Array;
  last: Uint32Array;
}

/** How the pass finds a block's rows: start[i]..start[i + 1] are connection i's places in the block's list. */
export interface BlockRows {
  start: Uint32Array;
  /** row of connection i's first packet (NO_ROW: none) */
  firstRow: Uint32Array;
  /** the conn column's chunks (shared memory when a worker reads them) */
  conn: readonly Uint32Array[];
  /** rows in the table */
  rows: number;
}

export const NO_ROW = 0xffffffff;

/** Windows may add up to this many passes over the table (plus a chunk's rows), else the index it is. */
const MAX_PASSES = 4;

/**
 * The plan for connections renumbered by `map` (old index -> new; none merged), or undefined when
 * the windows would cost more than the index. `shared`: arrays a worker can read.
 */
export function planBlocks(conns: ConnTable, spans: RowSpans, map: Uint32Array, conn: readonly Uint32Array[], rows: number, block: number,
  shared: boolean): BlockRows | undefined {
  const n = conns.count;
  const firstRow = osArray(Uint32Array, n, shared).fill(NO_ROW);
  const lastRow = new Uint32Array(n);
  for (let c = 0; c < spans.count; c++) {
    const i = map[c]!;
    firstRow[i] = spans.first[c]!;
    lastRow[i] = spans.last[c]!;
  }
  const start = osArray(Uint32Array, n + 1, shared);
  const { origPkts, respPkts } = conns;
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + origPkts[i]! + respPkts[i]!;
  if (start[n] !== rows) return undefined; // (packets that no connection counted: cannot happen, but the index would still be right)
  let cost = 0;
  for (let from = 0; from < n; from += block) {
    let lo = NO_ROW, hi = 0;
    for (let i = from; i < Math.min(n, from + block); i++) {
      if (start[i + 1] === start[i]) continue;
      if (firstRow[i]! < lo) lo = firstRow[i]!;
      if (lastRow[i]! > hi) hi = lastRow[i]!;
    }
    if (lo !== NO_ROW) cost += hi - lo + 1;
  }
  return cost > MAX_PASSES * rows + CHUNK_ROWS ? undefined : { start, firstRow, conn, rows };
}

/**
 * The rows of connections [from, to) into `into` (grown as needed; returned): connection i's rows
 * at into[start[i] - start[from] ..], in table order.
 */
export function blockRows(p: BlockRows, from: number, to: number, into: Uint32Array): Uint32Array {
  const { start, firstRow, conn } = p;
  const base = start[from]!;
  const total = start[to]! - base;
  if (into.length < total) into = new Uint32Array(Math.max(total, into.length * 2));
  const span = to - from;
  const fill = new Uint32Array(span);
  let lo = NO_ROW;
  for (let k = 0; k < span; k++) {
    fill[k] = start[from + k]! - base;
    if (firstRow[from + k]! < lo) lo = firstRow[from + k]!;
  }
  let found = 0;
  for (let r = lo; found < total && r < p.rows;) {
    const col = conn[Math.floor(r / CHUNK_ROWS)]!;
    const chunkFirst = r - (r % CHUNK_ROWS);
    const end = Math.min(CHUNK_ROWS, p.rows - chunkFirst);
    let j = r - chunkFirst;
    for (; j < end && found < total; j++) {
      const k = col[j]! - from;
      if (k >>> 0 < span) {
        into[fill[k]!++] = chunkFirst + j;
        found++;
      }
    }
    r = chunkFirst + j;
  }
  return into;
}
