/**
 * What an NFLOG capture says of the firewall's verdict. A log entry (NFLOG or LOG) says nothing of
 * the verdict itself: the rule that wrote it does, and its prefix is all the capture keeps of the
 * rule. A prefix with DROP, REJECT, BLOCK, DENY or INVALID in it (any case), or a word given with
 * --fw-drop-prefix, is read as a drop: the packet was logged by the rule that dropped it (the
 * nftables idiom `ct state invalid log prefix "INVALID DROP: " group 5 drop`). A RST dropped so
 * is the connection's `rst-denied`, as the ASA's 106015 "Deny TCP (no connection) ... flags RST" is.
 *
 * Runs once per capture over its TCP packets in file order, walking the prefix runs
 * (nflog-notes.ts) along with them: captures without NFLOG never get here, and an NFLOG capture
 * none of whose prefixes is a drop is not walked.
 */
import { RST } from '../model.js';
import { runAt, type NflogNotes } from './nflog-notes.js';

// (one test of a prefix for LOG lines and NFLOG captures alike: the netfilter reader's)
export { dropPrefix as isDropPrefix } from '../read/netfilter.js';
import { dropPrefix as isDropPrefix } from '../read/netfilter.js';

/**
 * Set each run's drop verdict (`notes.drops`) from its prefix; returns whether any run is a drop
 * (else there is nothing to walk).
 */
export function markNflogDrops(notes: NflogNotes, more: readonly string[] | undefined): boolean {
  const n = notes.prefixes.length;
  const drops = new Uint8Array(n);
  let any = false;
  for (let k = 0; k < n; k++) {
    if (!isDropPrefix(notes.prefixes[k]!, more)) continue;
    drops[k] = 1;
    any = true;
  }
  notes.drops = drops;
  return any;
}

/** Runs stepped over one by one before a cursor searches instead (a packet far from the last one asked). */
const STEPS = 8;

/**
 * Asks "was the packet at this frame dropped?" of one capture's notes, for frames that mostly come
 * in ascending order: each answer moves from the last one's run, so a walk over the capture's
 * packets costs the packets plus the runs. A frame before the last one asked (or far after it) is
 * found by binary search.
 */
export class DropCursor {
  private k = -1;
  constructor(private readonly notes: NflogNotes) {}

  dropped(frame: number): boolean {
    const { frames, drops } = this.notes;
    const n = frames.length;
    if (n === 0 || drops === undefined || frame < frames[0]!) return false;
    let k = this.k;
    if (k < 0 || frame < frames[k]!) k = runAt(frames, frame);
    else {
      let s = 0;
      while (k + 1 < n && frames[k + 1]! <= frame) {
        if (++s > STEPS) {
          k = runAt(frames, frame, k);
          break;
        }
        k++;
      }
    }
    this.k = k;
    return drops[k] === 1;
  }
}

/** What the walk reads of the packet table. */
export interface DropRows {
  flags(row: number): number;
  frame(row: number): number;
  conn(row: number): number;
}

/**
 * Every RST among rows [first, end) (one capture's, in file order) that its capture logged under
 * a drop prefix: `anomalies[conn] |= bit` for its connection. Returns how many there were.
 * (The frame is read for RSTs only: the flags column is all the other packets cost.)
 */
export function markDroppedRsts(notes: NflogNotes, rows: DropRows, first: number, end: number, anomalies: Uint32Array, bit: number): number {
  const cur = new DropCursor(notes);
  let count = 0;
  for (let r = first; r < end; r++) {
    if (!(rows.flags(r) & RST)) continue;
    if (!cur.dropped(rows.frame(r))) continue;
    anomalies[rows.conn(r)]! |= bit;
    count++;
  }
  return count;
}
