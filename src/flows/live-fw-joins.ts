/**
 * Two joins of the live firewall correlation (live-fw.ts):
 * - 609001/609002 (Built/Teardown local-host) name a host, not a connection: one goes with the
 *   connections of that host whose Built (or Teardown) is within TOL of it, as firewall.ts joins
 *   them. Live, either may come first: each side keeps the other's recent events by host;
 * - a denied RST and the captured packet it denies (as fw-verdicts.ts linkDeniedRsts).
 */
import { RST } from '../model.js';
import { A_DST, A_SMAP, A_SRC } from '../read/fw-chunk.js';
import { K_BUILT, K_LH_BUILT, K_LH_TEARDOWN, K_TEARDOWN } from '../read/asa.js';
import type { FwTable } from './fw-table.js';
import type { LiveEngine } from './live.js';

const TOL = 2;
/** seconds of log time a host's recent events are kept */
const KEEP = TOL + 5;

/** Add v to host h's recent list, dropping those older than `horizon` (log time). */
function recent<T>(m: Map<number, T[]>, h: number, v: T, horizon: number, ts: (v: T) => number): void {
  let l = m.get(h);
  if (!l) m.set(h, (l = []));
  let k = 0;
  while (k < l.length && ts(l[k]!) < horizon) k++;
  if (k) l.splice(0, k);
  l.push(v);
}

export class HostJoin {
  /** recent local-host events by host, and recent Built/Teardown events with their connection by host */
  private lhByHost = new Map<number, number[]>();
  private connEvByHost = new Map<number, [number, number][]>();

  constructor(private readonly fw: FwTable, private readonly attach: (e: number, c: number) => void) {}

  /**
   * A local-host event: joins the connections whose Built/Teardown of that host came near it.
   * `horizon`: the log time the capture has reached (events are kept from a little before it).
   */
  localHost(e: number, horizon: number): void {
    const fw = this.fw;
    const host = fw.addr(e, A_SRC);
    if (host < 0) return;
    const t = fw.ts(e);
    const want = fw.kind(e) === K_LH_BUILT ? K_BUILT : K_TEARDOWN;
    for (const [x, c] of this.connEvByHost.get(host) ?? []) if (fw.kind(x) === want && Math.abs(fw.ts(x) - t) <= TOL) this.attach(e, c);
    recent(this.lhByHost, host, e, Math.min(t, horizon) - KEEP, (x) => fw.ts(x));
  }

  /** A Built or Teardown of connection c: the local-host events of its hosts near it join c. */
  connEvent(e: number, c: number, horizon: number): void {
    const fw = this.fw;
    const t = fw.ts(e);
    const want = fw.kind(e) === K_BUILT ? K_LH_BUILT : K_LH_TEARDOWN;
    for (let slot = A_SRC; slot <= A_DST; slot++) {
      const a = fw.addr(e, slot);
      if (a < 0) continue;
      for (const x of this.lhByHost.get(a) ?? []) if (fw.kind(x) === want && Math.abs(fw.ts(x) - t) <= TOL) this.attach(x, c);
      recent<[number, number]>(this.connEvByHost, a, [e, c], Math.min(t, horizon) - KEEP, (p) => fw.ts(p[0]));
    }
  }

  /** Connections renumbered (compacted tables): map[c] is c's new index, -1 when dropped. */
  remap(map: Int32Array): void {
    for (const [h, l] of this.connEvByHost) {
      const kept = l.filter((p) => map[p[1]]! >= 0).map((p): [number, number] => [p[0], map[p[1]]!]);
      if (kept.length) this.connEvByHost.set(h, kept);
      else this.connEvByHost.delete(h);
    }
  }
}

/** The RST packet of connection c a no-connection deny e (at time t) refers to: from the deny's source port, closest in time; -1: none. */
export function deniedRstRow(engine: LiveEngine, e: number, c: number, t: number): number {
  const fw = engine.fw, conns = engine.conns, packets = engine.packets;
  const sp = fw.port(e, A_SRC), smp = fw.port(e, A_SMAP);
  const got = engine.chains.rows(c, new Uint32Array(64));
  let best = -1, bestD = Infinity;
  for (let k = 0; k < got.n; k++) {
    const r = got.rows[k]!;
    if (!(packets.flags(r) & RST)) continue;
    const sport = packets.mark(r) & 1 ? conns.respPort[c]! : conns.origPort[c]!;
    if (sp !== sport && smp !== sport) continue;
    const d = Math.abs(packets.ts(r) - t);
    if (d < bestD) {
      best = r;
      bestD = d;
    }
  }
  return best;
}
