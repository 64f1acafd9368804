/**
 * Deterministic synthetic Linux router log for the benchmark: the kernel's packet log lines and
 * conntrack complaints as a syslog daemon stores them (`Mar 10 08:00:00 fw01 kernel: [ 123.456789]
 * ...`), interleaved in time order with `conntrack -E -o timestamp,id` events piped to the same
 * file, as fixtures/logs/netfilter/router.log holds them. Same arguments, same text.
 *
 *   node dist/bench/gen-netfilter.js --lines 1000000 --out bench/out/netfilter-1000000.log [--seed 7]
 *   node dist/bench/gen-netfilter.js --lines 1000000 --measure    # µs/line beside the ASA reader
 *
 * What the lines are (roughly): every connection a NEW, an UPDATE (ESTABLISHED) and a DESTROY,
 * the DESTROY naming the state the entry ended in (shares of connections): 60 % TIME_WAIT,
 * 8 % LAST_ACK, 12 % CLOSE, 3 % CLOSE_WAIT, 3 % FIN_WAIT, 5 % ESTABLISHED, 6 % SYN_SENT,
 * 3 % SYN_RECV; a quarter of them source-NATed, one in twenty IPv6 (written in full in the kernel's
 * lines, short in conntrack's). After 40 % of the LAST_ACK ones the seed's pattern: the server's
 * late RST, 0-200 ms after the DESTROY, as the kernel's `nf_ct_proto_6: invalid new` complaint and
 * the ruleset's `INVALID DROP: ` line. Besides: SYNs dropped by policy (`FWD policy DROP: `, one to
 * three retries), and packets logged without a verdict (`NEW-CONN `).
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './gen.js';

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const START = Date.UTC(2024, 2, 10, 8, 0, 0) / 1000;
const BOOT = START - 86400 * 3.25; // the router's uptime stamps count from here
const STATES: [string, number][] = [
  ['TIME_WAIT', 0.6], ['LAST_ACK', 0.08], ['CLOSE', 0.12], ['CLOSE_WAIT', 0.03], ['FIN_WAIT', 0.03],
  ['ESTABLISHED', 0.05], ['SYN_SENT', 0.06], ['SYN_RECV', 0.03],
];
const MAC_IN = 'MAC=02:00:5e:00:53:01:02:00:5e:00:53:10:08:00';
const MAC_OUT = 'MAC=02:00:5e:00:53:02:02:00:5e:00:53:20:08:00';

const p2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** A min-heap of pending lines by time (connections overlap: their lines interleave). */
class Pending {
  private t: number[] = [];
  private s: string[] = [];
  get size(): number { return this.t.length; }
  peek(): number { return this.t[0]!; }
  push(t: number, s: string): void {
    const T = this.t, S = this.s;
    let i = T.length;
    T.push(t);
    S.push(s);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (T[p]! <= t) break;
      T[i] = T[p]!; S[i] = S[p]!;
      i = p;
    }
    T[i] = t; S[i] = s;
  }
  pop(): string {
    const T = this.t, S = this.s;
    const top = S[0]!;
    const lt = T.pop()!, ls = S.pop()!;
    const n = T.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && T[c + 1]! < T[c]!) c++;
        if (T[c]! >= lt) break;
        T[i] = T[c]!; S[i] = S[c]!;
        i = c;
      }
      T[i] = lt; S[i] = ls;
    }
    return top;
  }
}

/** `lines` lines (exactly) of a router's log, newline-terminated. */
export function generateNetfilterLog(lines: number, seed = 1): string {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const out: string[] = [];
  const q = new Pending();
  let t = START;
  let nextId = 100000 + int(1000000);
  let port = 0;
  const kernel = (at: number, msg: string): string => {
    const d = new Date(Math.floor(at) * 1000);
    const up = (at - BOOT).toFixed(6);
    return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} fw01 kernel: [${up.padStart(12, ' ')}] ${msg}`;
  };
  const ct = (at: number, ev: string, body: string): string => `[${at.toFixed(6)}]\t${ev.padStart(9, ' ')} ${body}`;
  const v6full = (a: number, b: number): string => `2001:0db8:${a.toString(16).padStart(4, '0')}:0000:0000:0000:0000:${b.toString(16).padStart(4, '0')}`;
  const v6short = (a: number, b: number): string => `2001:db8:${a.toString(16)}::${b.toString(16)}`;
  /** a packet log line: a = packet source, b = destination (kernel text), ports, flags */
  const packet = (prefix: string, inside: boolean, a: string, b: string, v6: boolean, sp: number, dp: number, flags: string, win: number): string => {
    const ifs = inside ? `IN=eth0 OUT=eth1 ${MAC_IN}` : `IN=eth1 OUT=eth0 ${MAC_OUT}`;
    const ip = v6 ? `SRC=${a} DST=${b} LEN=60 TC=0 HOPLIMIT=63 FLOWLBL=${int(1 << 20)}` : `SRC=${a} DST=${b} LEN=${flags === 'SYN' ? 60 : 40} TOS=0x00 PREC=0x00 TTL=63 ID=${int(65536)} DF`;
    return `${prefix}${ifs} ${ip} PROTO=TCP SPT=${sp} DPT=${dp} WINDOW=${win} RES=0x00 ${flags} URGP=0`;
  };
  while (out.length < lines) {
    // the next connection or policy drop starts a little later
    t += 0.002 + rnd() * 0.01;
    while (q.size > 0 && q.peek() <= t && out.length < lines) out.push(q.pop());
    if (out.length >= lines) break;
    const r = rnd();
    port = (port + 1 + int(7)) % 28000;
    const cp = 32768 + port;
    const v6 = rnd() < 0.05;
    const ca = int(250) + 2, sa = int(250) + 2;
    const client = v6 ? v6short(1, ca) : `192.0.2.${ca}`, server = v6 ? v6short(2, sa) : `198.51.100.${sa}`;
    const clientK = v6 ? v6full(1, ca) : client, serverK = v6 ? v6full(2, sa) : server;
    const sp = [443, 80, 22, 8080, 993][int(5)]!;
    if (r < 0.1) {
      // a SYN dropped by policy, retried
      const tries = 1 + int(3);
      for (let k = 0; k < tries; k++) q.push(t + k, kernel(t + k, packet('FWD policy DROP: ', true, clientK, serverK, v6, cp, 3389, 'SYN', 64240)));
      continue;
    }
    if (r < 0.14) {
      q.push(t, kernel(t, packet('NEW-CONN ', true, clientK, serverK, v6, cp, sp, 'SYN', 64240)));
      continue;
    }
    const id = nextId++;
    const nat = !v6 && rnd() < 0.25;
    const natPort = 1024 + int(60000);
    const reply = `src=${server} dst=${nat ? '203.0.113.1' : client} sport=${sp} dport=${nat ? natPort : cp}`;
    const orig = `src=${client} dst=${server} sport=${cp} dport=${sp}`;
    let x = rnd(), state = 'TIME_WAIT';
    for (const [s, share] of STATES) if ((x -= share) < 0) { state = s; break; }
    q.push(t, ct(t, '[NEW]', `tcp      6 120 SYN_SENT ${orig} [UNREPLIED] ${reply} id=${id}`));
    const dur = state === 'SYN_SENT' ? 120 : state === 'SYN_RECV' ? 60 : 0.05 + rnd() * (rnd() < 0.9 ? 5 : 600);
    if (state !== 'SYN_SENT' && state !== 'SYN_RECV') {
      q.push(t + 0.0005, ct(t + 0.0005, '[UPDATE]', `tcp      6 432000 ESTABLISHED ${orig} ${reply} [ASSURED] id=${id}`));
    }
    const end = t + dur;
    const pk = 3 + int(40), by = pk * (60 + int(1400));
    q.push(end, ct(end, '[DESTROY]', `tcp      6 ${state} ${orig} packets=${pk} bytes=${by} ${reply} packets=${pk - 1} bytes=${int(by * 3)} [ASSURED] delta-time=${Math.floor(dur)} id=${id}`));
    if (state === 'LAST_ACK' && rnd() < 0.4) {
      // the seed: the server's late RST finds no entry
      const at = end + rnd() * 0.2;
      const dk = nat ? '203.0.113.1' : clientK, dpk = nat ? natPort : cp;
      q.push(at, kernel(at, packet('nf_ct_proto_6: invalid new ', false, serverK, dk, v6, sp, dpk, 'RST', 0).replace(' OUT=eth0 ', ' OUT= ')));
      q.push(at + 0.00001, kernel(at + 0.00001, packet('INVALID DROP: ', false, serverK, dk, v6, sp, dpk, 'RST', 0)));
    }
  }
  while (out.length < lines && q.size > 0) out.push(q.pop());
  return out.join('\n') + '\n';
}

/**
 * Parse time per line of this generator's text and of the ASA generator's, in one run, through the
 * whole line reader (SyslogParser: envelope, header, message; events to a sink that drops them).
 * CPU time of this process (the machine may be shared), best of three rounds each.
 */
async function measure(lines: number): Promise<void> {
  const { SyslogParser } = await import('../src/read/syslog.js');
  const { splitText } = await import('../src/read/log-lines.js');
  const { generateAsaLog } = await import('./gen-asa.js');
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-nfbench-'));
  try {
    generateAsaLog(join(dir, 'asa.log'), { lines });
    const texts: [string, string][] = [['ASA', readFileSync(join(dir, 'asa.log'), 'latin1')], ['netfilter', generateNetfilterLog(lines)]];
    const best = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      for (const [name, text] of texts) {
        let n = 0;
        const p = new SyslogParser(name, { year: 2024 }, { event: () => { n++; } });
        const c0 = process.cpuUsage();
        splitText(text, (l, off) => p.line(l, off));
        const c = process.cpuUsage(c0);
        const us = (c.user + c.system) / lines;
        best.set(name, Math.min(best.get(name) ?? Infinity, us));
        process.stdout.write(`${name.padEnd(10)} round ${round + 1}: ${lines} lines, ${n} events, ${p.summary().badLines} bad, ${us.toFixed(3)} µs/line (CPU)\n`);
      }
    }
    const a = best.get('ASA')!, b = best.get('netfilter')!;
    process.stdout.write(`best: ASA ${a.toFixed(3)} µs/line, netfilter ${b.toFixed(3)} µs/line, ratio ${(b / a).toFixed(2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '100000' }, out: { type: 'string' }, seed: { type: 'string' }, measure: { type: 'boolean' } } });
  const n = Number(values.lines);
  if (values.measure) await measure(n);
  else if (values.out) writeFileSync(values.out, generateNetfilterLog(n, values.seed !== undefined ? Number(values.seed) : 1));
  else process.stdout.write(generateNetfilterLog(n, values.seed !== undefined ? Number(values.seed) : 1));
}
