/**
 * Deterministic synthetic Cisco ASA syslog for the log benchmark and test/log-truth.test.ts: about
 * a day of a firewall's log (Jun 20-21 2018, UTC), in time order, with what rsttui should make of
 * it (the truth). Same arguments, same bytes (a seeded PRNG, fixed start time).
 *
 *   node dist/bench/gen-asa.js --lines 1000000 --out bench/out/asa-1000000.log [--seed 7]
 *
 * Mostly the ASA's own header (`<166>Jun 20 2018 11:58:45 fw01 : %ASA-6-302013: ...`), about one
 * line in ten RFC 3164 (`<166>Jun 20 11:58:45 fw01 %ASA-6-...`); PRI is local4 (20 * 8) plus
 * the message's severity as in Cisco's syslog message guide. Endpoint formats as in
 * fixtures/logs/messages.log and seed-asa.log. What the lines are (shares of lines, roughly):
 *
 *   ~75 %  Built (302013) + Teardown (302014) pairs, inbound (outside client -> inside server, half
 *          of the servers statically NATed) and outbound (inside client -> outside server, most
 *          PATed, with their 305011/305012 translation lines), the Teardown later by the duration
 *          it states; reasons (shares of connections) and the teardown class each should get:
 *            70 % TCP FINs -> graceful; 12 % TCP Reset-I / Reset-O -> abort;
 *             4 % SYN Timeout -> unanswered;
 *             9 % Idle Timeout / FIN Timeout / Conn-timeout / SYN Control -> timeout;
 *             5 % TCP Reset-APPLIANCE / Flow reset by IPS / TCP data sent after FINs /
 *                 Deny Terminate / Flow terminated by TCP Intercept -> firewall-reset
 *          plus, after 30 % of inbound TCP FINs teardowns (15 % of all), the seed incident's
 *          106015 deny of the server's RST 0-500 ms later on interface inside (-> late-rst,
 *          rst-denied), and after 30 % of Idle Timeouts a 106015 of an ACK, PSH ACK or RST ACK of
 *          the same tuple 1-30 min later (-> after-timeout, and rst-denied when it is a RST)
 *    ~10 %  106023 policy denies of SYNs from outside, 40 % repeated once or twice within 6 s
 *          (SYN retries): one row per burst, class denied
 *    ~15 %  noise that makes no row: 609001/609002 local-host, 725001/725002 SSL, 111008
 * Every row is known from the log only, so every row also has the anomaly firewall-only.
 * No connection tuple and no connection id is used twice, so the expected rows are unambiguous.
 */
import { openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './gen.js';


export interface AsaGenOptions {
  /** lines to write (exactly) */
  lines: number;
  seed?: number;
}

/** What rsttui should make of the file: rows (one per connection or deny burst) by class and anomaly. */
export interface Truth {
  lines: number;
  rows: number;
  byTeardown: Record<string, number>;
  byAnomaly: Record<string, number>;
}

/** Teardown reasons with their share of connections (per mille) and expected class. */
const REASONS: readonly [reason: string, perMille: number, teardown: string][] = [
  ['TCP FINs', 700, 'graceful'],
  ['TCP Reset-I', 60, 'abort'],
  ['TCP Reset-O', 60, 'abort'],
  ['SYN Timeout', 40, 'unanswered'],
  ['Idle Timeout', 50, 'timeout'],
  ['FIN Timeout', 20, 'timeout'],
  ['Conn-timeout', 15, 'timeout'],
  ['SYN Control', 5, 'timeout'],
  ['TCP Reset-APPLIANCE', 15, 'firewall-reset'],
  ['Flow reset by IPS', 10, 'firewall-reset'],
  ['TCP data sent after FINs', 10, 'firewall-reset'],
  ['Deny Terminate', 8, 'firewall-reset'],
  ['Flow terminated by TCP Intercept', 7, 'firewall-reset'],
];

// shares of starts (one start is a connection, a deny burst or one noise line)
const P_CONN = 0.6, P_DENY = 0.12; // the rest: noise
const P_INBOUND = 0.5;
const P_PAT = 0.6; // outbound connections with a dynamic translation
const P_SEED = 0.3; // inbound TCP FINs followed by the denied server RST
const P_LATE = 0.3; // Idle Timeouts followed by a late packet
/** Expected lines per start, to spread the starts over the day. */
const LINES_PER_START = P_CONN * (2 + (1 - P_INBOUND) * P_PAT * 2 + P_INBOUND * 0.7 * P_SEED + 0.05 * P_LATE)
  + P_DENY * (1 + 0.25 + 0.15 * 2) + (1 - P_CONN - P_DENY);

const T0 = Date.UTC(2018, 5, 20, 0, 0, 0); // ms
const SPAN_MS = 23 * 3600 * 1000; // starts; teardowns and late packets run up to ~1.5 h past it
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HOST = 'fw01';

const ip4 = (a: number): string => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));
const hms = (secs: number): string => `${Math.floor(secs / 3600)}:${p2(Math.floor(secs / 60) % 60)}:${p2(secs % 60)}`;

/** A pending line: its time (ms), order of scheduling (ties), severity, message id and text. */
interface Ev { t: number; seq: number; sev: number; id: number; body: string }

/** Min-heap of pending lines by (t, seq). */
class Heap {
  private a: Ev[] = [];
  get size(): number { return this.a.length; }
  peek(): Ev | undefined { return this.a[0]; }
  private less(x: Ev, y: Ev): boolean { return x.t < y.t || (x.t === y.t && x.seq < y.seq); }
  push(e: Ev): void {
    const a = this.a;
    let i = a.push(e) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(e, a[p]!)) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = e;
  }
  pop(): Ev | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const c = l + 1 < a.length && this.less(a[l + 1]!, a[l]!) ? l + 1 : l;
      if (!this.less(a[c]!, last)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/**
 * Unique client endpoints from one address block: the k-th call gives a distinct address of the
 * block (a bijection of the block's host bits, skipping .0 and .255) and an ephemeral port, so
 * no (address, port) comes twice; past the block's size the ports move on instead.
 */
function clientSpace(base: number, bits: number): () => [number, number] {
  const size = 2 ** bits, mask = size - 1, half = bits >> 1;
  let k = 0;
  return () => {
    for (;;) {
      const i = k++;
      let x = (Math.imul(i & mask, 0x9e3779b1 & mask | 1) + 0x5bd1e995) & mask;
      x ^= x >>> half;
      const addr = (base | x) >>> 0;
      if ((addr & 255) === 0 || (addr & 255) === 255) continue;
      const epoch = Math.floor(i / size);
      const port = 32768 + (((x % 28232) + epoch * 7919) % 28232);
      return [addr, port];
    }
  };
}

/** Write the log to `path` (and its truth to `path`.truth.json); returns the truth. */
export function generateAsaLog(path: string, o: AsaGenOptions): Truth {
  const rnd = mulberry32(o.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const N = Math.max(0, Math.floor(o.lines));
  const byTeardown: Record<string, number> = {};
  const byAnomaly: Record<string, number> = {};
  let rows = 0;
  const row = (teardown: string, anomalies: string[]): void => {
    rows++;
    byTeardown[teardown] = (byTeardown[teardown] ?? 0) + 1;
    for (const a of ['firewall-only', ...anomalies]) byAnomaly[a] = (byAnomaly[a] ?? 0) + 1;
  };

  // endpoints: outside clients 100.64.0.0/10, inside clients 10.0.0.0/8, 200 inside servers in
  // 172.16.0.0/16 (even ones statically NATed to 203.0.113.x), 200 outside servers in 192.0.2.0/24
  const outsideClient = clientSpace(0x64400000, 22);
  const insideClient = clientSpace(0x0a000000, 24);
  const insideServers = Array.from({ length: 200 }, (_, i) => (0xac100000 | ((1 + (i >> 6)) << 8) | (10 + (i & 63) * 3)) >>> 0);
  const insideMapped = insideServers.map((a, i) => (i % 2 === 0 ? (0xcb007100 | (1 + i / 2)) >>> 0 : a));
  const outsideServers = Array.from({ length: 200 }, (_, i) => (0xc0000200 | (20 + i)) >>> 0);
  const inPorts = [443, 443, 443, 443, 80, 80, 22, 25, 8443, 993];
  const outPorts = [443, 443, 443, 443, 443, 80, 80, 22, 853, 5222];
  const denyPorts = [22, 23, 445, 3389, 1433, 3306, 5900, 8080, 135, 139];
  const acl = ['[0x0, 0x0]', '[0x0, 0x0]', '[0x51013fd8, 0x0]', '[0xe3aab522, 0x0]'];
  let pat = 0; // PAT: 198.51.100.1-254, ports from 1024, one mapping per connection
  let connId = 3_400_000;

  const heap = new Heap();
  let seq = 0;
  const at = (t: number, sev: number, id: number, body: string): void => heap.push({ t, seq: seq++, sev, id, body });

  // output: 8 MB of text at a time; the header is made once per second and style
  const fd = openSync(path, 'w');
  let parts: string[] = [];
  let pending = 0;
  let written = 0;
  let curSec = -1;
  let asaHead = '', bsdHead = '';
  const emit = (e: Ev): void => {
    const sec = Math.floor(e.t / 1000);
    if (sec !== curSec) {
      curSec = sec;
      const d = new Date(sec * 1000);
      const mon = MONTHS[d.getUTCMonth()]!;
      const day = d.getUTCDate();
      const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
      asaHead = `${mon} ${p2(day)} ${d.getUTCFullYear()} ${time} ${HOST} : `;
      bsdHead = `${mon} ${day < 10 ? ' ' + day : day} ${time} ${HOST} `;
    }
    const line = `<${160 + e.sev}>${rnd() < 0.1 ? bsdHead : asaHead}%ASA-${e.sev}-${e.id}: ${e.body}\n`;
    parts.push(line);
    pending += line.length;
    written++;
    if (pending >= 8 << 20) {
      writeSync(fd, parts.join(''));
      parts = [];
      pending = 0;
    }
  };

  const reasonTotal = REASONS.reduce((s, r) => s + r[1], 0);
  const pickReason = (): (typeof REASONS)[number] => {
    let x = rnd() * reasonTotal;
    for (const r of REASONS) if ((x -= r[1]) < 0) return r;
    return REASONS[0]!;
  };
  /** Connection lifetime (s) for a reason, as the ASA's timers make it. */
  const duration = (reason: string): number => {
    const u = rnd();
    switch (reason) {
      case 'SYN Timeout': return 30;
      case 'SYN Control': return 0;
      case 'Idle Timeout': return 3600 + Math.floor(u * 900);
      case 'FIN Timeout': return 600 + Math.floor(u * 300);
      case 'Conn-timeout': return pick([300, 900, 1800]);
      default: return Math.floor(-Math.log(1 - u) * (u < 0.9 ? 20 : 400)); // mostly short, some long
    }
  };

  const connection = (t: number): number => {
    const [reason, , teardown] = pickReason();
    const inbound = rnd() < P_INBOUND;
    const id = (connId += 1 + Math.floor(rnd() * 6));
    const dur = duration(reason);
    const tEnd = t + dur * 1000;
    const bytes = reason === 'SYN Timeout' || reason === 'SYN Control' ? 0 : Math.floor(Math.exp(4 + rnd() * 12));
    let from = '';
    if (reason === 'TCP FINs' && rnd() < 0.6) from = rnd() < 0.5 ? ' from inside' : ' from outside';
    else if (reason === 'TCP Reset-I' && rnd() < 0.6) from = ' from inside';
    else if (reason === 'TCP Reset-O' && rnd() < 0.6) from = ' from outside';
    // o: the outside endpoint (the `for` side), i: the inside endpoint (the `to` side)
    let o: string, op: number, i: string, ip: number, im: string, imp: number;
    let n = 2;
    if (inbound) {
      const [c, cp] = outsideClient();
      const k = Math.floor(rnd() * insideServers.length);
      o = ip4(c); op = cp;
      i = ip4(insideServers[k]!); ip = pick(inPorts);
      im = ip4(insideMapped[k]!); imp = ip;
    } else {
      const [c, cp] = insideClient();
      o = ip4(pick(outsideServers)); op = pick(outPorts);
      i = ip4(c); ip = cp;
      im = i; imp = ip;
      if (rnd() < P_PAT) {
        im = ip4((0xc6336401 + (pat % 254)) >>> 0);
        imp = 1024 + (Math.floor(pat / 254) % 64000);
        pat++;
        at(t, 6, 305011, `Built dynamic TCP translation from inside:${i}/${ip} to outside:${im}/${imp}`);
        at(tEnd + 30_000, 6, 305012, `Teardown dynamic TCP translation from inside:${i}/${ip} to outside:${im}/${imp} duration ${hms(dur + 30)}`);
        n += 2;
      }
    }
    at(t, 6, 302013, `Built ${inbound ? 'inbound' : 'outbound'} TCP connection ${id} for outside:${o}/${op} (${o}/${op}) to inside:${i}/${ip} (${im}/${imp})`);
    at(tEnd, 6, 302014, `Teardown TCP connection ${id} for outside:${o}/${op} to inside:${i}/${ip} duration ${hms(dur)} bytes ${bytes} ${reason}${from}`);
    const anomalies: string[] = [];
    if (reason === 'TCP FINs' && inbound && rnd() < P_SEED) {
      // the seed incident: the server's late RST, denied as no connection on the inside
      at(tEnd + Math.floor(rnd() * 501), 6, 106015, `Deny TCP (no connection) from ${i}/${ip} to ${o}/${op} flags RST  on interface inside`);
      anomalies.push('late-rst', 'rst-denied');
      n++;
    } else if (reason === 'Idle Timeout' && rnd() < P_LATE) {
      // a packet of the connection 1-30 min after the ASA dropped it; sent from the outside only
      // where there is no NAT, so that the addresses are the connection's on either interface
      const flags = pick(['ACK', 'ACK', 'ACK', 'PSH ACK', 'PSH ACK', 'RST ACK']);
      const tLate = tEnd + 60_000 + Math.floor(rnd() * 1_740_000);
      const fromOutside = im === i && imp === ip && rnd() < 0.5;
      const body = fromOutside
        ? `Deny TCP (no connection) from ${o}/${op} to ${i}/${ip} flags ${flags}  on interface outside`
        : `Deny TCP (no connection) from ${i}/${ip} to ${o}/${op} flags ${flags}  on interface inside`;
      at(tLate, 6, 106015, body);
      anomalies.push('after-timeout');
      if (flags.includes('RST')) anomalies.push('rst-denied');
      n++;
    }
    row(teardown, anomalies);
    return n;
  };

  const denyBurst = (t: number, lines: number): void => {
    const [c, cp] = outsideClient();
    const s = ip4(pick(insideServers));
    const body = `Deny tcp src outside:${ip4(c)}/${cp} dst inside:${s}/${pick(denyPorts)} by access-group "outside_access_in" ${pick(acl)}`;
    at(t, 4, 106023, body);
    if (lines > 1) at(t + 1000 + Math.floor(rnd() * 2000), 4, 106023, body);
    if (lines > 2) at(t + 4000 + Math.floor(rnd() * 2000), 4, 106023, body);
    row('denied', []);
  };

  const noise = (t: number): void => {
    const u = rnd();
    if (u < 0.35) at(t, 7, 609001, `Built local-host ${rnd() < 0.5 ? 'inside:' + ip4(pick(insideServers)) : 'outside:' + ip4(outsideClient()[0])}`);
    else if (u < 0.7) at(t, 7, 609002, `Teardown local-host ${rnd() < 0.5 ? 'inside:' + ip4(insideClient()[0]) : 'outside:' + ip4(pick(outsideServers))} duration ${hms(Math.floor(rnd() * 7200))}`);
    else if (u < 0.95) {
      const [c, cp] = outsideClient();
      const s = ip4(insideMapped[0]!);
      at(t, 6, u < 0.85 ? 725001 : 725002, `${u < 0.85 ? 'Starting' : 'Device completed'} SSL handshake with client outside:${ip4(c)}/${cp} to ${s}/443 for TLSv1.2 session`);
    } else at(t, 5, 111008, `User 'enable_15' executed the '${pick(['show conn', 'show xlate', 'show run'])}' command.`);
  };

  const gap = SPAN_MS / Math.max(1, N / LINES_PER_START);
  let t = T0;
  let committed = 0;
  while (committed < N) {
    t += Math.round(-Math.log(1 - rnd()) * gap);
    for (let e = heap.peek(); e !== undefined && e.t <= t; e = heap.peek()) emit(heap.pop()!);
    const left = N - committed;
    const u = rnd();
    // a connection takes up to 5 lines, a burst up to 3: near the end, noise fills the rest exactly
    if (u < P_CONN && left >= 5) committed += connection(t);
    else if (u < P_CONN + P_DENY && left >= 3) {
      const v = rnd();
      const k = v < 0.6 ? 1 : v < 0.85 ? 2 : 3;
      denyBurst(t, k);
      committed += k;
    } else {
      noise(t);
      committed++;
    }
  }
  while (heap.size > 0) emit(heap.pop()!);
  if (parts.length > 0) writeSync(fd, parts.join(''));
  closeSync(fd);
  const truth: Truth = { lines: written, rows, byTeardown, byAnomaly };
  writeFileSync(path + '.truth.json', JSON.stringify(truth, null, 2) + '\n');
  return truth;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, out: { type: 'string' }, seed: { type: 'string' } } });
  if (values.out === undefined) {
    process.stderr.write('usage: node dist/bench/gen-asa.js --lines N --out FILE [--seed S]\n');
    process.exit(2);
  }
  const t0 = performance.now();
  const truth = generateAsaLog(values.out, { lines: Number(values.lines), ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}) });
  process.stderr.write(`${values.out}: ${truth.lines} lines, ${truth.rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  console.log(JSON.stringify(truth));
}
