/**
 * What puts a connection into a finding: its pattern, packed into one small integer (the
 * signature) so that grouping millions of connections needs no string or object per connection.
 *
 *   teardown class x closing side (closed_by) x the side of the first RST x the anomalies that
 *   tell how it ended x the firewall's outcome x impact (data lost at a RST)
 *
 * Anomalies that say how a connection was seen rather than how it ended (retransmission,
 * zero-window, midstream, port-reuse, firewall-only) do not split a pattern: findings count them
 * in their evidence instead. dropped-between-vantages does not either when the firewall's log
 * explains the drop (a denied late packet, a timeout, a policy deny, a reset).
 */
import { ANOMALIES, CLOSED_BY, TEARDOWNS, anomalyBit, type ClosedBy, type Teardown } from '../model.js';

/** What the firewall did to the connection, most telling first in FW_PRIORITY (findings.ts). */
export const FW_OUTCOMES = ['none', 'late-deny', 'timeout', 'policy', 'reset'] as const;
export type FwOutcome = (typeof FW_OUTCOMES)[number];

/** The side whose RST came first (from the packets; for a log-only abort, the side the reason names). */
export const RST_SIDES = ['none', 'orig', 'resp'] as const;
export type RstSide = (typeof RST_SIDES)[number];

export interface Pattern {
  teardown: Teardown;
  closedBy: ClosedBy;
  rstBy: RstSide;
  /** bit mask over ANOMALIES, the ones that split patterns only (KEY_ANOMALIES) */
  anomalies: number;
  fw: FwOutcome;
  lost: boolean;
}

/** Anomalies of how a connection was seen, not of how it ended: never part of a pattern. */
export const INCIDENTAL = anomalyBit('retransmission') | anomalyBit('zero-window') | anomalyBit('midstream') |
  anomalyBit('port-reuse') | anomalyBit('firewall-only');
export const DROPPED = anomalyBit('dropped-between-vantages');
const ALL = (1 << ANOMALIES.length) - 1;

/** The anomalies of a connection that belong in its pattern, given the firewall's outcome. */
export function keyAnomalies(mask: number, fw: FwOutcome): number {
  let m = mask & ALL & ~INCIDENTAL;
  if (fw !== 'none') m &= ~DROPPED;
  return m;
}

// bits: teardown 0-3, closed_by 4-5, rst side 6-7, firewall 8-10, lost 11, anomalies 12-24
export function packPattern(p: Pattern): number {
  return TEARDOWNS.indexOf(p.teardown) | (CLOSED_BY.indexOf(p.closedBy) << 4) | (RST_SIDES.indexOf(p.rstBy) << 6) |
    (FW_OUTCOMES.indexOf(p.fw) << 8) | (p.lost ? 1 << 11 : 0) | ((p.anomalies & ALL) << 12);
}

/** The same from the table's own indices (the hot path: no lookups by name). */
export function packIndices(teardown: number, closedBy: number, rstBy: number, fw: number, lost: boolean, anomalies: number): number {
  return teardown | (closedBy << 4) | (rstBy << 6) | (fw << 8) | (lost ? 1 << 11 : 0) | ((anomalies & ALL) << 12);
}

export function unpackPattern(sig: number): Pattern {
  return {
    teardown: TEARDOWNS[sig & 15] ?? 'open',
    closedBy: CLOSED_BY[(sig >> 4) & 3] ?? 'none',
    rstBy: RST_SIDES[(sig >> 6) & 3] ?? 'none',
    fw: FW_OUTCOMES[(sig >> 8) & 7] ?? 'none',
    lost: ((sig >> 11) & 1) === 1,
    anomalies: (sig >>> 12) & ALL,
  };
}
