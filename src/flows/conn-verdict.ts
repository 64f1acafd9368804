/**
 * A connection's full verdict for a view, batch (dataset.ts) or live (live-view.ts): the packets'
 * own (classify), with what the connection table knows beyond them put over it: anomalies found
 * outside the packets (the firewall's, the vantage matcher's), the removal of midstream when the
 * log shows the connection being built, and a class the firewall's log decided.
 */
import { CLOSED_BY, TEARDOWNS, anomalyBit, type Anomaly } from '../model.js';
import type { ConnPackets } from '../analysis/conn-packets.js';
import { classify, type Verdict } from '../analysis/teardown.js';
import type { ConnTable } from './conn-table.js';

/** The verdict of connection i from its packets `p`, and `extra`: the anomaly bits the packets did not give (their evidence is the caller's). */
export function tableVerdict(conns: ConnTable, i: number, p: ConnPackets): { v: Verdict; extra: number } {
  const v = classify(p, { reused: conns.reused[i] === 1 });
  const extra = conns.anomalies[i]! & ~v.anomalies;
  v.anomalies = conns.anomalies[i]!;
  v.teardown = TEARDOWNS[conns.teardown[i]!] ?? v.teardown;
  v.closedBy = CLOSED_BY[conns.closedBy[i]!] ?? v.closedBy;
  for (const a of Object.keys(v.evidence) as Anomaly[]) if (!(v.anomalies & anomalyBit(a))) delete v.evidence[a];
  return { v, extra };
}
