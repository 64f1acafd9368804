/**
 * One connection's packets, in capture order, as the analysis functions take them: a struct of
 * arrays (views into scratch buffers or copies), never one object per packet. Direction is the
 * MARK_RESP bit of `mark` (set: sent by the responder). Sequence numbers are raw (absolute).
 */
export interface ConnPackets {
  n: number;
  /** epoch seconds */
  ts: Float64Array;
  flags: Uint8Array;
  seq: Uint32Array;
  ack: Uint32Array;
  /** TCP payload length on the wire */
  len: Uint16Array;
  /** raw (unscaled) window */
  win: Uint16Array;
  /** MARK_* bits (src/model.ts): direction, cut by snaplen, TLS record facts */
  mark: Uint8Array;
  /** the ingest chose the originator against the first packet's sender (Zeek's `^`) */
  flipped: boolean;
  /**
   * the ingest swapped the roles when the SYN came after the SYN-ACK (Zeek's SYN/SYN-ACK reversal:
   * zeek.ts starts the replay with the MARK_RESP side as originator, and its FlipRoles puts it back)
   */
  reversed?: boolean;
}

/** Empty arrays for n packets (fill them, or use them as scratch with a smaller `n`). */
export function allocConnPackets(n: number, flipped = false): ConnPackets {
  return {
    n,
    ts: new Float64Array(n),
    flags: new Uint8Array(n),
    seq: new Uint32Array(n),
    ack: new Uint32Array(n),
    len: new Uint16Array(n),
    win: new Uint16Array(n),
    mark: new Uint8Array(n),
    flipped,
    reversed: false,
  };
}

/** Build a ConnPackets from plain rows (tests, text captures). */
export function connPacketsFrom(
  rows: readonly { ts: number; flags: number; seq: number; ack: number; len: number; win: number; mark: number }[],
  flipped = false,
): ConnPackets {
  const p = allocConnPackets(rows.length, flipped);
  rows.forEach((r, i) => {
    p.ts[i] = r.ts;
    p.flags[i] = r.flags;
    p.seq[i] = r.seq;
    p.ack[i] = r.ack;
    p.len[i] = r.len;
    p.win[i] = r.win;
    p.mark[i] = r.mark;
  });
  return p;
}
