/**
 * What the log's matching (correlate/fw-groups.ts, fw-local-host.ts, firewall.ts) asks of every
 * row before its pass, found once per chunk by the thread that filled it: at 10 M log lines the
 * main thread's scans of every row for these took ~0.7 s of the single-threaded match, where
 * the log worker that just wrote the rows finds them in ~30 ms, spread over its read.
 *
 * A chunk still filling (the live engine's) has its index made again once it has grown.
 */
import { B_PROTO, U32_NONE, type FwChunk } from './fw-chunk.js';
import { K_BUILT, K_DENY, K_LH_BUILT, K_LH_TEARDOWN, K_NOCONN, K_OTHER, K_TEARDOWN } from './asa.js';

const PROTO_TCP = 1;

export interface ChunkIndex {
  /** rows indexed (the chunk's n when made) */
  n: number;
  /** rows that can make a log connection: a TCP Built, Teardown or deny by policy, or a no-connection deny */
  groupRows: number;
  /** rows that look a tuple up (lookUpRow), in order */
  denyRows: Uint16Array;
  /** local-host lines (609001/609002) that name their host, in order */
  lhRows: Uint16Array;
  /** whether a row is a note: an 'other' event with a connection id (PAN-OS THREAT reset-both) */
  notes: boolean;
  /** whether a row's time has a fraction of a second */
  fraction: boolean;
  /** whether the rows' times never go back (times that are not numbers aside), and the least and greatest (none: Infinity, -Infinity) */
  ordered: boolean;
  lo: number;
  hi: number;
}

/** Whether row r of c looks a tuple up: a no-connection deny, or a TCP deny by policy. */
export function lookUpRow(c: FwChunk, r: number): boolean {
  const kind = c.kind[r]!;
  return kind === K_NOCONN || (kind === K_DENY && ((c.bits[r]! >> B_PROTO) & 3) === PROTO_TCP);
}

/** Index rows [0, c.n) of chunk c. */
export function indexChunk(c: FwChunk): ChunkIndex {
  const n = c.n, kind = c.kind, bits = c.bits, ts = c.ts;
  const deny = new Uint16Array(n), lh = new Uint16Array(n);
  let nd = 0, nl = 0, groupRows = 0, notes = false, fraction = false, ordered = true, lo = Infinity, hi = -Infinity;
  for (let r = 0; r < n; r++) {
    const k = kind[r]!;
    const t = ts[r]!;
    if (!fraction && t !== Math.floor(t) && Number.isFinite(t)) fraction = true;
    // (NaN compares false both ways: passed over)
    if (t < hi) ordered = false;
    if (t > hi) hi = t;
    if (t < lo) lo = t;
    if (k === K_NOCONN) {
      groupRows++;
      deny[nd++] = r;
    } else if (k === K_BUILT || k === K_TEARDOWN || k === K_DENY) {
      if (((bits[r]! >> B_PROTO) & 3) !== PROTO_TCP) continue;
      groupRows++;
      if (k === K_DENY) deny[nd++] = r;
    } else if (k === K_LH_BUILT || k === K_LH_TEARDOWN) {
      if (c.amask[r]! & 1) lh[nl++] = r;
    } else if (k === K_OTHER && c.cid[r] !== U32_NONE) notes = true;
  }
  return { n, groupRows, denyRows: deny.slice(0, nd), lhRows: lh.slice(0, nl), notes, fraction, ordered, lo, hi };
}

/** The index of chunk c: the one made with it when it has not grown since, else made now (and kept). */
export function chunkIndex(c: FwChunk): ChunkIndex {
  const x = c.index;
  if (x !== undefined && x.n === c.n) return x;
  return (c.index = indexChunk(c));
}
