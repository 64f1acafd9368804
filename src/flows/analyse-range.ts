/**
 * The bulk pass over a range of connections: each one's packets at its primary vantage gathered
 * into one reused scratch set, then its Zeek conn_state and history and its teardown verdict.
 * Pure over its inputs, so that the main thread and the analysis worker (analyse-worker.ts) can
 * share the connections: each takes the next block of them until none is left (takeBlocks), so
 * both finish together however late the worker started and whatever its blocks held.
 */
import { CONN_STATES, TEARDOWNS, CLOSED_BY } from '../model.js';
import { allocConnPackets, type ConnPackets } from '../analysis/conn-packets.js';
import { zeekConn } from '../analysis/zeek.js';
import { classify } from '../analysis/teardown.js';
import { impact, newImpact } from '../analysis/impact.js';
import { LOG_ONLY } from '../correlate/firewall.js';
import { MARK_MISSING_ELSEWHERE } from '../correlate/vantage.js';
import { gatherRows, type AnalysisColumns } from './packet-table.js';
import { blockRows, type BlockRows } from './block-rows.js';

/** What the pass reads, indexed by connection. */
export interface RangeInput {
  cols: AnalysisColumns;
  /**
   * Packet rows grouped by connection (start[i]..start[i + 1] index into rows), or the plan by
   * which each block of connections finds its own (block-rows.ts)
   */
  byConn: { start: Uint32Array; rows: Uint32Array } | BlockRows;
  vantage: Uint16Array;
  flipped: Uint8Array;
  reused: Uint8Array;
  /** row range [first, end) of each vantage's file */
  fileFirst: number[];
  fileEnd: number[];
}

/** What it writes, indexed by connection. */
export interface RangeOutput {
  connState: Uint8Array;
  teardown: Uint8Array;
  closedBy: Uint8Array;
  anomalies: Uint32Array;
  origBytes: Float64Array;
  respBytes: Float64Array;
  /** impact (analysis/impact.ts); log-only connections are left as they are (NaN, NaN, unknown) */
  unackedOrig: Float64Array;
  unackedResp: Float64Array;
  dataLost: Uint8Array;
  /** connection i's history (one string object per distinct history in a range) */
  history: (i: number, h: string) => void;
  /** packets marked missing at another vantage: 2 yes, 1 no, 0 not known (rows at other vantages) */
  missing: Uint8Array;
  /** given, called with each block of connections once analysed: to write their flow lines (flow-share.ts) */
  lines?: (from: number, to: number) => void;
}

/** The rows of the block being analysed, when blocks find their own (one array per thread, reused) */
let scratch: Uint32Array = new Uint32Array(0);

// classify's options in the bulk pass (one object each, not one per connection)
const BULK_REUSED = { reused: true, evidence: false } as const;
const BULK_FRESH = { reused: false, evidence: false } as const;
// impact's result, one object reused
const IMPACT = newImpact();

/** Analyse connections [from, to), writing out[i]. */
export function analyseRange(inp: RangeInput, from: number, to: number, out: RangeOutput): void {
  const { cols, byConn } = inp;
  const start = byConn.start;
  // the rows of connection i are rows[start[i] - base ..]
  let rows: Uint32Array, base = 0;
  if ('firstRow' in byConn) {
    rows = scratch = blockRows(byConn, from, to, scratch);
    base = start[from]!;
  } else rows = byConn.rows;
  let p = allocConnPackets(64);
  // history strings, one copy of each: a capture has few distinct ones (~20 bytes each per connection saved)
  const histories = new Map<string, string>();
  for (let i = from; i < to; i++) {
    const v = inp.vantage[i]!;
    if (v === LOG_ONLY) continue; // in the logs only: no packets
    const s0 = start[i]! - base, s1 = start[i + 1]! - base;
    // the rows at the primary vantage: contiguous in file order
    let a = s0, e = s1;
    if (v < inp.fileFirst.length) {
      const first = inp.fileFirst[v]!, end = inp.fileEnd[v]!;
      while (a < s1 && rows[a]! < first) a++;
      e = a;
      while (e < s1 && rows[e]! < end) e++;
    }
    const n = e - a;
    if (n > p.ts.length) p = allocConnPackets(Math.max(n, p.ts.length * 2));
    gatherRows(cols, rows, a, e, p.ts, p.flags, p.seq, p.ack, p.len, p.win, p.mark);
    p.n = n;
    p.flipped = inp.flipped[i] === 1;
    p.reversed = inp.flipped[i] === 2;
    if (n === s1 - s0) {
      let m = 0;
      for (let k = 0; k < n; k++) m |= p.mark[k]!;
      out.missing[i] = m & MARK_MISSING_ELSEWHERE ? 2 : 1;
    }
    analyseConn(p, i, inp.reused[i] === 1, out, histories);
  }
}

/**
 * Connection i's verdicts from its packets `p` (gathered at its primary vantage) into out[i]:
 * Zeek conn_state, history and sizes, teardown class, closing side and anomalies. The bulk pass
 * above and the live engine (live.ts) both go through here. `histories` keeps one string per
 * distinct history.
 */
export function analyseConn(p: ConnPackets, i: number, reused: boolean, out: Omit<RangeOutput, 'missing' | 'lines'>, histories: Map<string, string>): void {
  const z = zeekConn(p);
  out.connState[i] = CONN_STATES.indexOf(z.state);
  let h = histories.get(z.history);
  if (h === undefined) histories.set(z.history, (h = z.history));
  out.history(i, h);
  out.origBytes[i] = z.origBytes;
  out.respBytes[i] = z.respBytes;
  const verdict = classify(p, reused ? BULK_REUSED : BULK_FRESH);
  out.teardown[i] = TEARDOWNS.indexOf(verdict.teardown);
  out.closedBy[i] = CLOSED_BY.indexOf(verdict.closedBy);
  out.anomalies[i] = verdict.anomalies;
  impact(p, IMPACT);
  out.unackedOrig[i] = IMPACT.unackedOrig;
  out.unackedResp[i] = IMPACT.unackedResp;
  out.dataLost[i] = IMPACT.dataLost;
}

/** Connections per block of the shared pass: ~35 k packets, a few ms; small enough that the two threads end together. */
export const BLOCK = 2048;

/** The shared pass's bookkeeping, in shared memory: the next block to take, and who did each block (0: not done yet). */
export interface SharedPass {
  n: number;
  next: Int32Array;
  done: Uint8Array;
}

export function newSharedPass(n: number): SharedPass {
  const blocks = Math.ceil(n / BLOCK);
  return { n, next: new Int32Array(new SharedArrayBuffer(4)), done: new Uint8Array(new SharedArrayBuffer(Math.max(blocks, 1))) };
}

/** Who did a block: */
export const BY_MAIN = 1;
export const BY_WORKER = 2;

/**
 * Analyse the next blocks of connections until none is left (false) or, given `until`
 * (performance.now() time), until then (true: some may be left; at least one block is done). Outputs are indexed by connection.
 */
export function takeBlocks(inp: RangeInput, pass: SharedPass, out: RangeOutput, who: number, until?: number): boolean {
  for (;;) {
    const b = Atomics.add(pass.next, 0, 1);
    const from = b * BLOCK;
    if (from >= pass.n) {
      scratch = new Uint32Array(0); // (a block of long connections may have grown it large)
      return false;
    }
    const to = Math.min(pass.n, from + BLOCK);
    analyseRange(inp, from, to, out);
    out.lines?.(from, to);
    Atomics.store(pass.done, b, who);
    if (until !== undefined && performance.now() >= until) return true;
  }
}

/**
 * After a worker failed: analyse here every block not done by the main thread (the worker's
 * histories were lost with it, even for the blocks it finished).
 */
export function redoBlocks(inp: RangeInput, pass: SharedPass, out: RangeOutput): void {
  for (let b = 0; b * BLOCK < pass.n; b++) {
    if (Atomics.load(pass.done, b) === BY_MAIN) continue;
    const from = b * BLOCK, to = Math.min(pass.n, from + BLOCK);
    analyseRange(inp, from, to, out);
    out.lines?.(from, to);
    Atomics.store(pass.done, b, BY_MAIN);
  }
  scratch = new Uint32Array(0);
}

/** How many connections the shared pass has handed out so far (for progress). */
export const blocksTaken = (pass: SharedPass): number => Math.min(pass.n, Atomics.load(pass.next, 0) * BLOCK);
