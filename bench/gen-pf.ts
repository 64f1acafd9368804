/**
 * Deterministic synthetic pfSense `filterlog` for the benchmark and tests: a day of one firewall
 * (`pfsense`, WAN igb0, LAN igb1) from 2024-05-20 00:00 UTC, in time order. Same arguments, same
 * text (bench/gen.ts's seeded PRNG, fixed start time). Lines in the layout of Netgate's "Raw
 * Filter Log Format" (see fixtures/logs/pf/), 70 % in an RFC 3164 header with host
 * (`<134>May 20 10:00:00 pfsense filterlog[51577]: `), 30 % RFC 5424
 * (`<134>1 2024-05-20T10:00:00.123456+00:00 pfsense filterlog 51577 - - `).
 *
 * What happens (shares of events; an event writes one to three lines):
 *   30 %  a LAN client's logged `pass` of its SYN (permit)
 *   15 %  the seed's pattern: a WAN client's SYN passed to the server 203.0.113.80:443, then
 *         2 s to 5 min later the server's RST blocked on LAN because pf had dropped the state
 *         (deny-no-conn with RST: rst-denied)
 *   10 %  late packets of connections whose state had expired: ACK, FIN ACK or PSH ACK with data
 *         blocked (deny-no-conn)
 *   25 %  scanners' SYNs blocked on WAN (deny), 30 % of them retried at +3 s and +9 s; 1 in 10 a
 *         `reject`
 *   10 %  UDP (DNS, NTP) passed or blocked;  5 %  ICMP echo requests blocked
 *    5 %  a SYN ACK without state or an RST ACK dropped for `state-mismatch` (deny-no-conn)
 * 8 % of TCP events are IPv6 (2001:db8::/32). Addresses from the documentation ranges.
 *
 *   node dist/bench/gen-pf.js --lines 1000000 --out bench/out/pf-1000000.log [--seed 7]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './gen.js';

const START = Date.UTC(2024, 4, 20) / 1000;
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** A pfSense filterlog of exactly `lines` lines (each ending in a newline). */
export function generatePfLog(lines: number, seed = 1): string {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const out: string[] = [];
  /** lines due later, by time (kept sorted) */
  const pending: [number, string][] = [];
  let t = START;
  let ipId = 1;

  const header = (at: number): string => {
    const d = new Date(Math.floor(at * 1000));
    const hms = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    if (rnd() < 0.7) return `<134>${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${hms} pfsense filterlog[51577]: `;
    const us = String(Math.floor((at % 1) * 1e6)).padStart(6, '0');
    return `<134>1 ${d.toISOString().slice(0, 10)}T${hms}.${us}+00:00 pfsense filterlog 51577 - - `;
  };
  const wan = (): string => `${pick(['198.51.100', '203.0.113'])}.${int(254) + 1}`;
  const lan = (): string => `192.0.2.${int(254) + 1}`;
  const v6 = (net: number): string => `2001:db8:${net}::${(int(0xfffe) + 1).toString(16)}`;
  const eph = (): number => 1024 + int(64000);
  const seq = (): number => int(4294967295);
  /** one TCP line: rule, iface, action, dir, endpoints, data length, flags */
  const tcp = (rule: string, iface: string, reason: string, action: string, dir: string, a: string, pa: number, b: string, pb: number,
    len: number, flags: string): string => {
    const s = seq();
    const sq = len > 0 ? `${s}:${s + len}` : String(s);
    const ack = flags.includes('A') ? String(seq()) : '';
    const opts = flags.includes('S') ? 'mss;sackOK;TS;nop;wscale' : 'nop;nop;TS';
    const hl = (flags.includes('S') ? 40 : 32) + len;
    const ip = a.includes(':')
      ? `6,0x00,0x00000,64,tcp,6,${hl}`
      : `4,0x0,,${pick([52, 57, 63, 64, 116, 128])},${flags === 'R' ? 0 : ipId++ & 0xffff},0,DF,6,tcp,${hl + 20}`;
    return `${rule},${iface},${reason},${action},${dir},${ip},${a},${b},${pa},${pb},${len},${flags},${sq},${ack},${flags === 'R' ? 0 : 64240},,${opts}`;
  };
  const emit = (at: number, body: string): void => {
    out.push(header(at) + body);
  };
  const later = (at: number, body: string): void => {
    let i = pending.length;
    while (i > 0 && pending[i - 1]![0] > at) i--;
    pending.splice(i, 0, [at, body]);
  };
  const PASS_LAN = '12,,,1000000310', PASS_WAN = '7,,,1000000105', DEFAULT = '4,,,1000000103', REJECT = '9,,,1000000209';

  while (out.length < lines) {
    t += rnd() * 0.17;
    while (pending.length && pending[0]![0] <= t && out.length < lines) {
      const [at, body] = pending.shift()!;
      emit(at, body);
    }
    if (out.length >= lines) break;
    const six = rnd() < 0.08;
    const r = rnd();
    if (r < 0.3) {
      const [a, b] = six ? [v6(1), v6(2)] : [lan(), wan()];
      emit(t, tcp(PASS_LAN, 'igb1', 'match', 'pass', 'in', a, eph(), b, pick([443, 80, 22, 993]), 0, 'S'));
    } else if (r < 0.45) {
      const [c, srv] = six ? [v6(2), '2001:db8:1::80'] : [wan(), '203.0.113.80'];
      const cp = eph();
      emit(t, tcp(PASS_WAN, 'igb0', 'match', 'pass', 'in', c, cp, srv, 443, 0, 'S'));
      later(t + 2 + rnd() * 298, tcp(DEFAULT, 'igb1', 'match', 'block', 'in', srv, 443, c, cp, 0, 'R'));
    } else if (r < 0.55) {
      const [c, srv] = six ? [v6(2), v6(1)] : [wan(), lan()];
      const f = pick(['A', 'FA', 'PA']);
      emit(t, tcp(DEFAULT, 'igb0', 'match', 'block', 'in', c, eph(), srv, pick([443, 22, 25]), f === 'PA' ? 1 + int(1400) : 0, f));
    } else if (r < 0.8) {
      const [c, srv] = six ? [v6(3), v6(1)] : [wan(), lan()];
      const cp = eph(), sp = pick([23, 445, 3389, 22, 8080, 1433]);
      const [rule, act] = rnd() < 0.1 ? [REJECT, 'reject'] : [DEFAULT, 'block'];
      const line = tcp(rule, 'igb0', 'match', act, 'in', c, cp, srv, sp, 0, 'S');
      emit(t, line);
      if (rnd() < 0.3) {
        later(t + 3, line);
        later(t + 9, line);
      }
    } else if (r < 0.9) {
      const pass = rnd() < 0.5;
      const [a, pa, b, pb] = pass ? [lan(), eph(), wan(), pick([53, 123])] : [wan(), pick([53, 123, 1900]), lan(), eph()];
      const n = 20 + int(200);
      emit(t, `${pass ? PASS_LAN : DEFAULT},${pass ? 'igb1' : 'igb0'},match,${pass ? 'pass' : 'block'},in,4,0x0,,64,${ipId++ & 0xffff},0,none,17,udp,${n + 28},${a},${b},${pa},${pb},${n}`);
    } else if (r < 0.95) {
      emit(t, `5,,,1000103483,igb0,match,block,in,4,0x0,,64,${ipId++ & 0xffff},0,DF,1,icmp,84,${wan()},${lan()},request,${int(65535)},${int(65535)}`);
    } else if (rnd() < 0.5) {
      emit(t, tcp(DEFAULT, 'igb0', 'match', 'block', 'in', wan(), pick([80, 443]), lan(), eph(), 0, 'SA'));
    } else {
      emit(t, tcp('10,,,1000000301', 'igb1', 'state-mismatch', 'block', 'in', lan(), 443, wan(), eph(), 0, 'RA'));
    }
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, out: { type: 'string' }, seed: { type: 'string', default: '1' } } });
  const text = generatePfLog(Number(values.lines), Number(values.seed));
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
}
