/**
 * Deterministic synthetic FortiGate traffic log for the benchmark and tests: a FortiGate's day
 * from Sep 8 2023 00:00 UTC, in time order, one line every ~20 ms. Same arguments, same text
 * (a seeded PRNG, a fixed start).
 *
 *   node dist/bench/gen-fortigate.js --lines 100000 --out /tmp/fgt.log [--seed 7]
 *
 * Lines as FortiOS 7.x writes them to syslog (`<PRI>date=.. time=.. devname=.. eventtime=<ns>
 * tz=.. logid=.. type="traffic" ...`, ~600 characters with the uuids, application and country
 * fields), one in ten as FortiOS 6.0 wrote them (unquoted words, eventtime in seconds) and one in
 * twenty as FortiOS 5.0 did (`status=` instead of `action=`, no eventtime); a fifth of them behind
 * a relay's RFC 3164 header. What they are (shares of activities, roughly):
 *
 *   ~80 %  TCP sessions, a third with a start log (logid 15); how they end (logid 13):
 *            close 70 %, client-rst 6 %, server-rst 6 %, timeout 8 %, ip-conn 6 %, accept 4 %;
 *          outbound from 192.0.2.0/24 with SNAT to 203.0.113.1-8, inbound to VIPs 203.0.113.10-29
 *          with DNAT to 192.0.2.210-229, 5 % IPv6 (2001:db8::/32) without NAT; sessions over
 *          120 s get a statistics log (logid 20) on the way;
 *          after 30 % of the inbound closes, the seed's pattern: the server's late RST dropped as
 *          "no session matched" (logid 7) 50-800 ms later (-> late-rst, rst-denied); after 30 %
 *          of the timeouts, a drop of the same tuple 5 s to 30 min later (-> after-timeout)
 *    ~10 %  UDP sessions (DNS): accept, some dns
 *     ~9 %  policy denies (logid 13, action deny) of SYNs from outside, 40 % retried once or twice
 *     ~1 %  no-session drops of tuples the log has no session of
 * No session tuple and no session id is used twice.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './gen.js';

/** What the lines hold (counted as written). */
export interface FortigateTruth {
  lines: number;
  /** session ends by action word */
  ends: Record<string, number>;
  /** the seed's pattern: no-session drops right after a close (late-rst) */
  lateRst: number;
  /** no-session drops of a timed-out session's tuple (after-timeout) */
  afterTimeout: number;
  /** policy deny bursts (one denied row each) */
  denyBursts: number;
}

/** the device's clock runs on UTC (FortiOS 5.0 lines carry no zone: any other would need --tz) */
const TZ_OFFSET = 0;
const START = Date.UTC(2023, 8, 8, 0, 0, 0) / 1000 - TZ_OFFSET;
const ENDS: readonly [string, number][] = [['close', 700], ['client-rst', 60], ['server-rst', 60], ['timeout', 80], ['ip-conn', 60], ['accept', 40]];
const p2 = (n: number): string => String(n).padStart(2, '0');
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Pending {
  due: number;
  seq: number;
  kind: 'line' | 'late-rst' | 'after-timeout';
  text: () => string;
  end?: string;
}

/** A binary min-heap of pending lines by due time (ties: in order of scheduling). */
class Heap {
  a: Pending[] = [];
  private less = (x: Pending, y: Pending): boolean => x.due < y.due || (x.due === y.due && x.seq < y.seq);
  push(p: Pending): void {
    const a = this.a;
    a.push(p);
    for (let i = a.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!this.less(a[i]!, a[up]!)) break;
      [a[i], a[up]] = [a[up]!, a[i]!];
      i = up;
    }
  }
  pop(): Pending {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

interface Ep { addr: string; port: number; iface: string; role: string }
interface Session { c: Ep; s: Ep; id: number; proto: number; service: string; policy: number; polname: string; disp: string; nat: string; uuid: string }

/** Calls `emit` with each line (no newline), exactly `lines` of them; returns what they hold. */
export function fortigateLines(lines: number, seed: number, emit: (line: string) => void): FortigateTruth {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[int(16)];
    return s;
  };
  const uuid = (): string => `${hex(8)}-${hex(4)}-51ee-${hex(4)}-${hex(12)}`;
  const POLUUIDS = Array.from({ length: 12 }, uuid);
  const truth: FortigateTruth = { lines: 0, ends: {}, lateRst: 0, afterTimeout: 0, denyBursts: 0 };
  const heap = new Heap();
  let seq = 0, now = START, sid = 100000, tuple = 0;

  // ---- the line text, in three FortiOS generations
  const head = (t: number, logid: string, level: string, style: number): string => {
    const d = new Date((t + TZ_OFFSET) * 1000);
    const date = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
    const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    const pri = level === 'warning' ? 188 : 189;
    const relay = (Math.floor(t * 1000) % 5) === 0 ? `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time} 192.0.2.1 ` : `<${pri}>`;
    if (style === 2) return `${relay}date=${date} time=${time} devname=FGT-EDGE devid=FG100FTK19000001 logid=${logid} type=traffic subtype=forward level=${level} vd=root`;
    if (style === 1) return `${relay}date=${date} time=${time} devname=FGT-EDGE devid=FG100FTK19000001 logid=${logid} type=traffic subtype=forward level=${level} vd=root eventtime=${Math.floor(t)}`;
    const ns = `${Math.floor(t)}${String(Math.floor((t % 1) * 1e9)).padStart(9, '0')}`;
    return `${relay}date=${date} time=${time} devname="FGT-EDGE" devid="FG100FTK19000001" eventtime=${ns} tz="+0000" logid="${logid}" type="traffic" subtype="forward" level="${level}" vd="root"`;
  };
  const q = (style: number, v: string): string => (style === 0 ? `"${v}"` : v);
  const ends = (style: number, s: Session, src: Ep, dst: Ep): string =>
    ` srcip=${src.addr} srcport=${src.port} srcintf="${src.iface}" srcintfrole=${q(style, src.role)} dstip=${dst.addr} dstport=${dst.port} dstintf="${dst.iface}" dstintfrole=${q(style, dst.role)}` +
    (style === 0 ? ` srcuuid="${s.uuid}" dstuuid="${POLUUIDS[s.policy % 12]}"` : '');
  const sessionLine = (t: number, s: Session, logid: string, action: string, dur: number, sb: number, rb: number, level = 'notice'): string => {
    const style = s.id % 20 === 0 ? 2 : s.id % 10 === 1 ? 1 : 0;
    const act = style === 2 ? `status=${action}` : `action=${q(style, action)}`;
    const counts = action === 'start' ? ' duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 rcvdpkt=0'
      : ` duration=${dur} sentbyte=${sb} rcvdbyte=${rb} sentpkt=${Math.ceil(sb / 700) + 1} rcvdpkt=${Math.ceil(rb / 1200) + 1}`;
    const app = s.proto === 6 ? ' appid=40568 app="HTTPS.BROWSER" appcat="Web.Client" apprisk="medium" applist="default"' : ' appcat="unscanned"';
    return head(t, logid, level, style) + ends(style, s, s.c, s.s) +
      ` sessionid=${s.id} proto=${s.proto} ${act} policyid=${s.policy} policytype=${q(style, 'policy')} poluuid=${q(style, POLUUIDS[s.policy % 12]!)} policyname="${s.polname}"` +
      ` service="${s.service}" dstcountry="United States" srccountry="Reserved" trandisp=${q(style, s.disp)}${s.nat}${counts}${action === 'start' ? '' : app}` +
      (style === 0 ? ' vwlid=0 mastersrcmac="00:09:0f:a1:b2:c3" srcmac="00:09:0f:a1:b2:c3" srcserver=0' : '');
  };
  const dropLine = (t: number, from: Ep, to: Ep): string =>
    head(t, '0000000007', 'warning', 0) +
    ` srcip=${from.addr} srcport=${from.port} srcintf="${from.iface}" srcintfrole="${from.role}" dstip=${to.addr} dstport=${to.port} dstintf=unknown-0 dstintfrole="undefined"` +
    ' proto=6 action="deny" policyid=0 policytype="policy" service="tcp" dstcountry="Reserved" srccountry="Reserved" trandisp="noop" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 msg="no session matched"';

  // ---- activities
  const later = (due: number, kind: Pending['kind'], text: () => string, end?: string): void => {
    const p: Pending = { due, seq: seq++, kind, text };
    if (end !== undefined) p.end = end;
    heap.push(p);
  };
  /** a client end no other session has: 250 hosts, each using its ports in turn (unique for 15 M tuples) */
  const nextTuple = (): number => tuple++;
  const hostOf = (k: number): number => 1 + (k % 250);
  const portOf = (k: number): number => 1024 + (Math.floor(k / 250) % 60000);
  const tcpSession = (t: number): void => {
    const k = nextTuple();
    const host = hostOf(k), port = portOf(k);
    const r = rnd();
    let s: Session;
    const id = sid++;
    const base = { id, proto: 6, uuid: uuid() };
    if (r < 0.05) {
      s = { ...base, c: { addr: `2001:db8:1::${host.toString(16)}`, port, iface: 'internal', role: 'lan' }, s: { addr: `2001:db8:2::${(1 + int(4000)).toString(16)}`, port: 443, iface: 'wan1', role: 'wan' },
        service: 'HTTPS', policy: 11, polname: 'LAN-out-v6', disp: 'noop', nat: '' };
    } else if (r < 0.6) {
      const mp = 1024 + int(64000);
      s = { ...base, c: { addr: `192.0.2.${host}`, port, iface: 'internal', role: 'lan' }, s: { addr: `198.51.100.${1 + int(250)}`, port: pick([443, 443, 80, 22, 8443]), iface: 'wan1', role: 'wan' },
        service: 'HTTPS', policy: 2, polname: 'LAN-out', disp: 'snat', nat: ` transip=203.0.113.${1 + int(8)} transport=${mp}` };
    } else {
      const v = 10 + int(20);
      s = { ...base, c: { addr: `198.51.100.${host}`, port, iface: 'wan1', role: 'wan' }, s: { addr: `203.0.113.${v}`, port: 443, iface: 'internal', role: 'lan' },
        service: 'HTTPS', policy: 3 + (v % 4), polname: 'VIP-web', disp: 'dnat', nat: ` tranip=192.0.2.${200 + v} tranport=8443` };
    }
    const inbound = s.disp === 'dnat';
    let w = int(1000), end = 'close';
    for (const [a, m] of ENDS) if ((w -= m) < 0) { end = a; break; }
    // (timeout: half the sessions stuck half-open or half-closed, 120 s; half idle past the TTL, 3600 s)
    const dur = end === 'timeout' ? (rnd() < 0.5 ? 120 : 3600) + int(10) : end === 'ip-conn' ? 10 + int(20) : rnd() < 0.1 ? 120 + int(3000) : int(60);
    const sb = end === 'ip-conn' ? 60 * (1 + int(3)) : 200 + int(20000), rb = end === 'ip-conn' ? 0 : 500 + int(2000000);
    if (rnd() < 1 / 3) emitNow(t, sessionLine(t, s, '0000000015', 'start', 0, 0, 0));
    if (dur > 120) later(t + 120, 'line', () => sessionLine(t + 120, s, '0000000020', 'accept', 120, sb >> 1, rb >> 1));
    const te = t + dur + rnd();
    later(te, 'line', () => sessionLine(te, s, '0000000013', end, dur, sb, rb), end);
    // the server's late RST: on the server's side of the firewall, to the client's address there
    const seen: Ep = inbound ? { ...s.s, addr: `192.0.2.${200 + Number(s.s.addr.split('.')[3])}`, port: 8443 } : s.s;
    if (end === 'close' && inbound && rnd() < 0.3) {
      const tr = te + 0.05 + rnd() * 0.75;
      later(tr, 'late-rst', () => dropLine(tr, seen, s.c));
    } else if (end === 'timeout' && rnd() < 0.3) {
      const tr = te + (rnd() < 0.5 ? 5 + rnd() * 55 : 60 + rnd() * 1740);
      later(tr, 'after-timeout', () => dropLine(tr, s.c, s.s));
    }
  };
  const udpSession = (t: number): void => {
    const k = nextTuple();
    const s: Session = { id: sid++, proto: 17, uuid: uuid(), c: { addr: `192.0.2.${hostOf(k)}`, port: portOf(k), iface: 'internal', role: 'lan' },
      s: { addr: `198.51.100.${pick([53, 54])}`, port: 53, iface: 'wan1', role: 'wan' }, service: 'DNS', policy: 9, polname: 'DNS-out', disp: 'snat', nat: ` transip=203.0.113.1 transport=${1024 + int(64000)}` };
    const end = rnd() < 0.1 ? 'dns' : 'accept';
    const te = t + 180 + rnd();
    later(te, 'line', () => sessionLine(te, s, '0000000013', end, 180, 70 + int(40), 100 + int(400)), end);
  };
  const policyDeny = (t: number): void => {
    const k = nextTuple();
    const c: Ep = { addr: `198.51.100.${hostOf(k)}`, port: portOf(k), iface: 'wan1', role: 'wan' };
    const sv: Ep = { addr: `203.0.113.${40 + int(10)}`, port: pick([3389, 23, 445, 1433]), iface: 'internal', role: 'lan' };
    const one = (tt: number): string => {
      const s: Session = { id: sid++, proto: 6, uuid: uuid(), c, s: sv, service: 'tcp', policy: 12, polname: 'block-inbound', disp: 'noop', nat: '' };
      return sessionLine(tt, s, '0000000013', 'deny', 0, 0, 0, 'warning');
    };
    if (emitNow(t, one(t))) truth.denyBursts++;
    if (rnd() < 0.4) {
      later(t + 3, 'line', () => one(t + 3));
      if (rnd() < 0.5) later(t + 9, 'line', () => one(t + 9));
    }
  };
  const orphanDrop = (t: number): void => {
    const k = nextTuple();
    emitNow(t, dropLine(t, { addr: `198.51.100.${1 + int(250)}`, port: 443, iface: 'wan1', role: 'wan' },
      { addr: `203.0.113.${100 + (k % 100)}`, port: portOf(k), iface: '', role: '' }));
  };

  let count = 0;
  function emitNow(_t: number, text: string): boolean {
    if (count >= lines) return false;
    emit(text);
    count++;
    return true;
  }
  while (count < lines) {
    if (heap.a.length > 0 && heap.a[0]!.due <= now) {
      const p = heap.pop();
      emitNow(p.due, p.text());
      if (p.end !== undefined) truth.ends[p.end] = (truth.ends[p.end] ?? 0) + 1;
      if (p.kind === 'late-rst') truth.lateRst++;
      if (p.kind === 'after-timeout') truth.afterTimeout++;
      continue;
    }
    const r = rnd();
    if (r < 0.8) tcpSession(now);
    else if (r < 0.9) udpSession(now);
    else if (r < 0.99) policyDeny(now);
    else orphanDrop(now);
    now += rnd() * 0.04;
  }
  truth.lines = count;
  return truth;
}

/** The log as one string, `lines` lines each ending in a newline (at ~830 characters a line, up to ~600 000 lines: a string holds 2^29). */
export function generateFortigateLog(lines: number, seed = 1): string {
  const out: string[] = [];
  fortigateLines(lines, seed, (l) => out.push(l));
  return out.length ? out.join('\n') + '\n' : '';
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '100000' }, out: { type: 'string' }, seed: { type: 'string', default: '1' } } });
  // (written as made: a million lines are more than one string may hold)
  const fd = values.out ? openSync(values.out, 'w') : 1;
  let buf: string[] = [];
  const flush = (): void => {
    writeSync(fd, buf.join('\n') + '\n');
    buf = [];
  };
  fortigateLines(Number(values.lines), Number(values.seed), (l) => {
    buf.push(l);
    if (buf.length === 10000) flush();
  });
  if (buf.length) flush();
  if (fd !== 1) closeSync(fd);
}
