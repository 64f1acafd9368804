/**
 * Firewall events <-> connections. An event names two endpoints (real and, with NAT, mapped
 * addresses and ports); a connection matches when both of its ends match one side each, at a time
 * that fits once the log's clock offset is known. The offset (log time - capture time) is estimated
 * from the pairs themselves: Built vs the first packet, Teardown and denies vs the last one. The
 * ASA stamps whole seconds, so a stamp S means [S, S+1): half a second is added before comparing.
 *
 * Events that match no captured connection become connections of their own (firewall-only).
 */
import type { FwEvent, FwEndpoint } from '../read/asa.js';
import type { AddrTable } from '../flows/addr-table.js';
import type { ConnTable } from '../flows/conn-table.js';
import { CONN_STATES, TEARDOWNS, CLOSED_BY, RST } from '../model.js';

/** vantage value of a connection known only from the logs */
export const LOG_ONLY = 0xffff;

export interface Correlation {
  /** estimated log time - capture time, seconds (0 when nothing matched) */
  offset: number;
  /** how many event/connection pairs the estimate rests on */
  offsetPairs: number;
  /** event index -> connections (pre-finalize indices) it is attached to */
  attached: number[][];
  /** connections created for events no capture has */
  logOnly: number;
}

export interface CorrelateOptions {
  /** the largest clock offset to look for, seconds (--skew) */
  skew?: number;
}

/** slack around a connection's packets once the offset is applied, seconds */
const TOL = 2;

const TCP_KINDS = new Set(['built', 'teardown', 'deny-no-conn', 'deny', 'permit']);

function endpointIds(e: FwEndpoint, addrs: AddrTable): { ids: number[]; ports: number[] } {
  const ids: number[] = [];
  const ports: number[] = [];
  const a = addrs.idOfText(e.addr);
  if (a !== undefined && e.port !== undefined && Number.isFinite(e.port)) {
    ids.push(a);
    ports.push(e.port);
  }
  if (e.mappedAddr !== undefined) {
    const m = addrs.idOfText(e.mappedAddr);
    const mp = e.mappedPort ?? e.port;
    if (m !== undefined && mp !== undefined && Number.isFinite(mp) && !(m === a && mp === e.port)) {
      ids.push(m);
      ports.push(mp);
    }
  }
  return { ids, ports };
}

/** Whether connection c's ends are (x, y) in either order, each end by any of its forms. */
function tupleMatches(conns: ConnTable, c: number, x: { ids: number[]; ports: number[] }, y: { ids: number[]; ports: number[] }): boolean {
  const is = (addr: number, port: number, e: { ids: number[]; ports: number[] }): boolean => {
    for (let k = 0; k < e.ids.length; k++) if (e.ids[k] === addr && e.ports[k] === port) return true;
    return false;
  };
  const o = conns.origAddr[c]!, op = conns.origPort[c]!, r = conns.respAddr[c]!, rp = conns.respPort[c]!;
  return (is(o, op, x) && is(r, rp, y)) || (is(o, op, y) && is(r, rp, x));
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function correlateFirewall(events: readonly FwEvent[], conns: ConnTable, addrs: AddrTable, opts: CorrelateOptions = {}): Correlation {
  const skew = opts.skew ?? 300;
  const attached: number[][] = events.map(() => []);
  const nCaptured = conns.count;
  // connections by unordered port pair
  const byPorts = new Map<number, number[]>();
  const key = (a: number, b: number): number => Math.min(a, b) * 65536 + Math.max(a, b);
  for (let c = 0; c < nCaptured; c++) {
    const k = key(conns.origPort[c]!, conns.respPort[c]!);
    const l = byPorts.get(k);
    if (l) l.push(c);
    else byPorts.set(k, [c]);
  }
  const whole = events.every((e) => !Number.isFinite(e.ts) || Number.isInteger(e.ts));
  const stamp = (e: FwEvent): number => e.ts + (whole ? 0.5 : 0);
  const tuples = events.map((e) => (e.src && e.dst && TCP_KINDS.has(e.kind) && (e.proto === undefined || e.proto === 'tcp') && Number.isFinite(e.ts)
    ? { x: endpointIds(e.src, addrs), y: endpointIds(e.dst, addrs) } : undefined));
  const candidates = (i: number): number[] => {
    const t = tuples[i];
    if (!t) return [];
    const seen = new Set<number>();
    const out: number[] = [];
    for (const px of t.x.ports) for (const py of t.y.ports) {
      for (const c of byPorts.get(key(px, py)) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (tupleMatches(conns, c, t.x, t.y)) out.push(c);
      }
    }
    return out;
  };
  const cands = events.map((_, i) => candidates(i));

  // pass 1: pairs within the skew bound -> offset
  const deltas: number[] = [];
  events.forEach((e, i) => {
    for (const c of cands[i]!) {
      const t = stamp(e);
      if (t < conns.firstTs[c]! - skew || t > conns.lastTs[c]! + skew) continue;
      if (e.kind === 'built') deltas.push(t - conns.firstTs[c]!);
      else if (e.kind === 'teardown' || e.kind === 'deny-no-conn') deltas.push(t - conns.lastTs[c]!);
    }
  });
  const offset = deltas.length ? median(deltas) : 0;

  // pass 2: attach within TOL of the packets, the closest connection per vantage
  events.forEach((e, i) => {
    const t = stamp(e) - offset;
    const best = new Map<number, { c: number; d: number }>();
    for (const c of cands[i]!) {
      const f = conns.firstTs[c]!, l = conns.lastTs[c]!;
      if (t < f - TOL || t > l + TOL) continue;
      const d = t < f ? f - t : t > l ? t - l : 0;
      const v = conns.vantage[c]!;
      const b = best.get(v);
      if (!b || d < b.d) best.set(v, { c, d });
    }
    for (const b of best.values()) attached[i]!.push(b.c);
  });

  // events of one firewall connection id (Built, Teardown) belong together: a capture that holds
  // only the end of a connection still gets its Built line
  const byId = new Map<string, number[]>();
  events.forEach((e, i) => {
    if (e.connId === undefined || !tuples[i]) return;
    const k = `${e.file}:${e.connId}`;
    const l = byId.get(k);
    if (l) l.push(i);
    else byId.set(k, [i]);
  });
  for (const list of byId.values()) {
    const union = [...new Set(list.flatMap((i) => attached[i]!))];
    if (union.length) for (const i of list) attached[i] = union;
  }

  const logOnly = addLogOnly(events, tuples, attached, conns, addrs, offset, stamp);
  attachLocalHost(events, attached, conns, addrs, stamp);
  return { offset, offsetPairs: deltas.length, attached, logOnly };
}

/** teardown class of a connection known only from the logs, from the firewall's reason */
function classFromReason(reason: string | undefined, denied: boolean): (typeof TEARDOWNS)[number] {
  const r = (reason ?? '').toLowerCase();
  if (r.startsWith('tcp fins')) return 'graceful';
  if (r.startsWith('tcp reset') || r.includes('reset')) return 'abort';
  if (r.startsWith('syn timeout')) return 'unanswered';
  if (r.startsWith('tcp data sent after fins')) return 'fin-then-rst';
  return denied ? 'open' : 'open';
}

/**
 * Unmatched TCP events become connections with no packets: grouped by the firewall's connection
 * id (Built/Teardown), else by tuple (a deny with no Built in the log).
 */
function addLogOnly(events: readonly FwEvent[], tuples: ({ x: { ids: number[]; ports: number[] }; y: { ids: number[]; ports: number[] } } | undefined)[],
  attached: number[][], conns: ConnTable, addrs: AddrTable, offset: number, stamp: (e: FwEvent) => number): number {
  const groups = new Map<string, number[]>();
  events.forEach((e, i) => {
    if (attached[i]!.length || !tuples[i] || !e.src || !e.dst) return;
    if (e.kind !== 'built' && e.kind !== 'teardown' && e.kind !== 'deny-no-conn') return;
    const k = e.connId !== undefined ? `id:${e.file}:${e.connId}` : `t:${[`${e.src.addr}/${e.src.port}`, `${e.dst.addr}/${e.dst.port}`].sort().join('-')}`;
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  // a deny with no connection id right after a logged connection of the same tuple is that
  // connection's late packet (the seed's RST after the Teardown)
  const tupleKey = (e: FwEvent): string => [`${e.src!.addr}/${e.src!.port}`, `${e.dst!.addr}/${e.dst!.port}`].sort().join('-');
  for (const [k, list] of groups) {
    if (!k.startsWith('t:')) continue;
    for (const [k2, list2] of groups) {
      if (!k2.startsWith('id:') || tupleKey(events[list2[0]!]!) !== k.slice(2)) continue;
      const last = Math.max(...list2.map((i) => stamp(events[i]!)));
      const first = Math.min(...list2.map((i) => stamp(events[i]!)));
      const mine = list.filter((i) => stamp(events[i]!) >= first - TOL && stamp(events[i]!) <= last + TOL);
      if (!mine.length) continue;
      list2.push(...mine);
      const left = list.filter((i) => !mine.includes(i));
      list.length = 0;
      list.push(...left);
    }
  }
  let made = 0;
  for (const list of groups.values()) {
    if (!list.length) continue;
    const first = events[list[0]!]!;
    const built = list.map((i) => events[i]!).find((e) => e.kind === 'built');
    const td = list.map((i) => events[i]!).find((e) => e.kind === 'teardown');
    const ref = built ?? td ?? first;
    // the initiator: `for` side of an inbound Built, `to` side of an outbound one; for a lone deny,
    // the side with the higher (ephemeral) port is taken for the client
    let o = ref.src!, r = ref.dst!;
    if (ref.direction === 'outbound' || (!built && !td && (o.port ?? 0) < (r.port ?? 0))) [o, r] = [r, o];
    const oid = addrs.idOfText(o.addr), rid = addrs.idOfText(r.addr);
    if (oid === undefined || rid === undefined) continue;
    const ts = list.map((i) => stamp(events[i]!) - offset);
    const c = conns.add(LOG_ONLY, oid, o.port ?? 0, rid, r.port ?? 0, Math.min(...ts), -1);
    conns.lastTs[c] = Math.max(...ts);
    conns.connState[c] = CONN_STATES.indexOf('OTH');
    const denied = list.some((i) => events[i]!.kind === 'deny-no-conn' && ((events[i]!.tcpFlags ?? 0) & RST) !== 0);
    conns.teardown[c] = TEARDOWNS.indexOf(classFromReason(td?.reason, denied));
    conns.closedBy[c] = CLOSED_BY.indexOf('none');
    for (const i of list) attached[i]!.push(c);
    made++;
  }
  return made;
}

/**
 * 609001/609002 (Built/Teardown local-host) name a host, not a connection: attach one to the
 * connections of that host that have another event within TOL of it (the local-host lines come
 * with the host's first Built and last Teardown).
 */
function attachLocalHost(events: readonly FwEvent[], attached: number[][], conns: ConnTable, addrs: AddrTable, stamp: (e: FwEvent) => number): void {
  const byConn = new Map<number, number[]>();
  attached.forEach((list, i) => {
    for (const c of list) {
      const l = byConn.get(c);
      if (l) l.push(i);
      else byConn.set(c, [i]);
    }
  });
  events.forEach((e, i) => {
    if ((e.kind !== 'local-host-built' && e.kind !== 'local-host-teardown') || !e.src) return;
    const host = addrs.idOfText(e.src.addr);
    if (host === undefined) return;
    const t = stamp(e);
    for (const [c, evs] of byConn) {
      if (conns.origAddr[c] !== host && conns.respAddr[c] !== host) continue;
      // a host's state is built with its first connection and removed with its last one
      const partner = e.kind === 'local-host-built' ? 'built' : 'teardown';
      if (evs.some((j) => events[j]!.kind === partner && Math.abs(stamp(events[j]!) - t) <= TOL)) attached[i]!.push(c);
    }
  });
}
