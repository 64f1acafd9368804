/**
 * The packet-table rows of one connection, for the views and exports that ask for a few
 * connections after loading.
 *
 * The index of rows by connection (groupByConn: 4 bytes a packet plus 4 a connection, 23 MB at
 * 1 M connections and 3.8 M packets) is what the bulk passes of loading use; kept for the views,
 * it pushed the UI past its memory budget the first time a timeline opened. So after loading, a
 * connection's rows are found by scanning the conn column from where its first packet can be:
 * connections know their first packet's time, and a capture is (nearly) in time order, so a
 * binary search on time finds the start, and the scan stops once it has every packet at the
 * connection's own vantage (its counts), which is all the views ask for; rows at the other
 * vantages are scanned for up to the file's end. A few milliseconds a connection at most; should
 * the scans add up to more than a few passes over the table (an export asking for many long
 * connections), the index is built after all.
 */
import { LOG_ONLY } from '../correlate/firewall.js';
import type { ConnTable } from './conn-table.js';
import { osArray } from './memory.js';
import { CHUNK_ROWS, type PacketTable } from './packet-table.js';

/** Group packet rows by connection (counting sort): start[i]..start[i+1] index into rows. */
export function groupByConn(packets: PacketTable, nConns: number): { start: Uint32Array; rows: Uint32Array } {
  // (in shared memory: the analysis worker reads them; not malloc's: the UI drops them after loading)
  const start = osArray(Uint32Array, nConns + 1, true);
  const n = packets.count;
  // straight over the conn column's chunks: two passes over every row
  for (let k = 0; k < packets.chunks; k++) {
    const col = packets.connChunk(k);
    const m = Math.min(CHUNK_ROWS, n - k * CHUNK_ROWS);
    for (let j = 0; j < m; j++) start[col[j]! + 1]!++;
  }
  for (let c = 0; c < nConns; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, nConns);
  const rows = osArray(Uint32Array, Math.max(n, 1), true);
  for (let k = 0; k < packets.chunks; k++) {
    const col = packets.connChunk(k);
    const base = k * CHUNK_ROWS;
    const m = Math.min(CHUNK_ROWS, n - base);
    for (let j = 0; j < m; j++) rows[fill[col[j]!]!++] = base + j;
  }
  return { start, rows };
}

/** A file's rows [first, end). */
export interface RowRange {
  first: number;
  end: number;
}

/** The rows of `all` (rows in order) that lie in `f`, or all of them when there is no such file. */
export function inFile(all: Uint32Array, f: RowRange | undefined): Uint32Array {
  if (!f) return all;
  let a = 0;
  const b = all.length;
  while (a < b && all[a]! < f.first) a++;
  let e = a;
  while (e < b && all[e]! < f.end) e++;
  return all.subarray(a, e);
}

/** Scanned rows, in passes over the whole table, after which the index is built instead. */
const SCAN_PASSES = 4;

export class ConnRows {
  private index: { start: Uint32Array; rows: Uint32Array } | undefined;
  /** per file: how far back in time a row can be from the latest before it (0: in time order); computed on first use */
  private readonly disorder: (number | undefined)[];
  private scanned = 0;
  private lastConn = -1;
  private lastOnly: number | undefined;
  private last = new Uint32Array(0);

  constructor(private readonly packets: PacketTable, private readonly conns: ConnTable, private readonly files: readonly RowRange[]) {
    this.disorder = files.map(() => undefined);
  }

  /** Whether the rows come from the index (built after the scans added up). */
  get indexed(): boolean {
    return this.index !== undefined;
  }

  /**
   * Rows of connection i in row order (files in order, each in file order): at every vantage,
   * or only in file `only` (its primary vantage's). The last answer is kept: a view asks for the
   * same connection several times in a row.
   */
  rows(i: number, only?: number): Uint32Array {
    if (this.index) {
      const all = this.index.rows.subarray(this.index.start[i]!, this.index.start[i + 1]!);
      return only === undefined ? all : inFile(all, this.files[only]);
    }
    if (i === this.lastConn && only === this.lastOnly) return this.last;
    const c = this.conns;
    const out: number[] = [];
    if (c.vantage[i] !== LOG_ONLY) {
      // the counts are of the packets at the connection's own vantage: the scan stops at them
      // when that is all it looks for (one capture, or only the primary's file)
      const primary = only === undefined ? this.files.length === 1 : only === c.vantage[i];
      const want = primary ? c.origPkts[i]! + c.respPkts[i]! : Infinity;
      for (let f = 0; f < this.files.length && out.length < want; f++) {
        if (only === undefined || f === only) this.scanFile(f, i, c.firstTs[i]!, want, out);
      }
    }
    if (this.scanned > SCAN_PASSES * this.packets.count + CHUNK_ROWS) this.index = groupByConn(this.packets, c.count);
    this.lastConn = i;
    this.lastOnly = only;
    return (this.last = Uint32Array.from(out));
  }

  private scanFile(f: number, i: number, firstTs: number, want: number, out: number[]): void {
    const { first, end } = this.files[f]!;
    const p = this.packets;
    // Rows before lo are earlier than firstTs: where ts(mid) < firstTs - D, every row up to mid is
    // at most D later than ts(mid), so still earlier than firstTs (D: the file's disorder).
    const x = firstTs - this.fileDisorder(f);
    let lo = first, hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (p.ts(mid) < x) lo = mid + 1;
      else hi = mid;
    }
    let r = lo;
    while (r < end && out.length < want) {
      const k = Math.floor(r / CHUNK_ROWS);
      const col = p.connChunk(k);
      const base = k * CHUNK_ROWS;
      const stop = Math.min(end, base + CHUNK_ROWS);
      for (; r < stop && out.length < want; r++) if (col[r - base] === i) out.push(r);
    }
    this.scanned += r - lo;
  }

  /** The largest step back in time in file f: max over rows of (latest time before it) - (its time). */
  private fileDisorder(f: number): number {
    let d = this.disorder[f];
    if (d !== undefined) return d;
    const { first, end } = this.files[f]!;
    let latest = -Infinity;
    d = 0;
    for (let r = first; r < end; r++) {
      const t = this.packets.ts(r);
      if (t > latest) latest = t;
      else if (latest - t > d) d = latest - t;
    }
    this.disorder[f] = d;
    return d;
  }
}
