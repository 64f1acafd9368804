/**
 * Deterministic synthetic Cisco FTD connection events for the benchmark and tests: one device
 * (`ftd1`) from 2020-06-23 00:00 UTC, in time order, in the ASA-family header
 * (`<161>Jun 23 2020 10:25:38 ftd1 : %FTD-1-430003: ...`), the `Key: value` bodies of Cisco's
 * "Cisco Secure Firewall Threat Defense Syslog Messages" (see fixtures/logs/ftd/). Same arguments,
 * same text (bench/gen.ts's seeded PRNG, fixed start time).
 *
 * What happens (shares of events): 75 % allowed connections (Allow, Trust, Fastpath), each a
 * 430002 at its first packet and a 430003 its duration later, half outbound with source NAT, 8 %
 * IPv6, 10 % UDP; after 20 % of the inbound TCP ones the server's late RST denied by 106015 within
 * a second of the 430003 (rst-denied); 25 % connections blocked by policy (430002 Block, or 430003
 * Block with reset).
 *
 *   node dist/bench/gen-ftd.js --lines 1000000 --out bench/out/ftd-1000000.log [--seed 7]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './gen.js';

const START = Date.UTC(2020, 5, 23) / 1000;
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');
const UUID = 'DeviceUUID: 7a3c1e2e-5d9b-11ee-8c99-0242ac120002';

/** An FTD connection-event log of exactly `lines` lines (each ending in a newline). */
export function generateFtdLog(lines: number, seed = 1): string {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const out: string[] = [];
  const pending: [number, string][] = [];
  let t = START;
  let id = 100000;

  const stamp = (at: number): string => {
    const d = new Date(Math.floor(at) * 1000);
    return `${MON[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  };
  const iso = (at: number): string => new Date(Math.floor(at) * 1000).toISOString().slice(0, 19) + 'Z';
  const line = (at: number, sev: number, msg: string): string => `<${160 + sev}>${stamp(at)} ftd1 : %FTD-${sev}-${msg}`;
  const later = (at: number, text: string): void => {
    let i = pending.length;
    while (i > 0 && pending[i - 1]![0] > at) i--;
    pending.splice(i, 0, [at, text]);
  };
  const wan = (): string => `${pick(['198.51.100', '203.0.113'])}.${int(254) + 1}`;
  const lan = (): string => `192.0.2.${int(254) + 1}`;
  const v6 = (net: number): string => `2001:db8:${net}::${(int(0xfffe) + 1).toString(16)}`;
  const eph = (): number => 1024 + int(64000);

  while (out.length < lines) {
    t += rnd() * 0.2;
    while (pending.length && pending[0]![0] <= t && out.length < lines) out.push(pending.shift()![1]);
    if (out.length >= lines) break;
    const conn = ++id;
    const inst = 1 + int(4);
    const six = rnd() < 0.08;
    const udp = !six && rnd() < 0.1;
    const inbound = rnd() < 0.5;
    const proto = udp ? 'udp' : 'tcp';
    const [c, s] = six ? (inbound ? [v6(2), v6(1)] : [v6(1), v6(2)]) : inbound ? [wan(), lan()] : [lan(), wan()];
    const cp = eph(), sp = udp ? 53 : pick([443, 80, 22, 8443]);
    const [ii, ei] = inbound ? ['outside', 'inside'] : ['inside', 'outside'];
    let nat = '';
    if (!six && !inbound) nat = `, NAT_InitiatorPort: ${eph()}, NAT_ResponderPort: ${sp}, NAT_InitiatorIP: 198.51.100.5, NAT_ResponderIP: ${s}`;
    else if (!six && inbound) nat = `, NAT_InitiatorPort: ${cp}, NAT_ResponderPort: ${sp}, NAT_InitiatorIP: ${c}, NAT_ResponderIP: 203.0.113.80`;
    const head = (at: number, action: string): string =>
      `EventPriority: Low, ${UUID}, InstanceID: ${inst}, FirstPacketSecond: ${iso(at)}, ConnectionID: ${conn}, AccessControlRuleAction: ${action}, ` +
      `SrcIP: ${c}, DstIP: ${s}, SrcPort: ${cp}, DstPort: ${sp}, Protocol: ${proto}, IngressInterface: ${ii}, EgressInterface: ${ei}, ` +
      `IngressZone: ${ii.toUpperCase()}, EgressZone: ${ei.toUpperCase()}, ACPolicy: Default, AccessControlRuleName: rule-${sp}, Prefilter Policy: Default Prefilter Policy`;
    if (rnd() < 0.25) {
      if (rnd() < 0.5) out.push(line(t, 1, `430002: ${head(t, 'Block')}, InitiatorPackets: 1, ResponderPackets: 0, InitiatorBytes: 74, ResponderBytes: 0, NAPPolicy: Balanced Security and Connectivity`));
      else out.push(line(t, 1, `430003: ${head(t, 'Block with reset')}, ConnectionDuration: 0, InitiatorPackets: 1, ResponderPackets: 0, InitiatorBytes: 54, ResponderBytes: 0, NAPPolicy: Balanced Security and Connectivity`));
      continue;
    }
    const action = pick(['Allow', 'Allow', 'Allow', 'Trust', 'Fastpath']);
    const dur = udp ? 0 : int(rnd() < 0.8 ? 30 : 3600);
    const ip = 2 + int(200), rp = 2 + int(400);
    const app = udp ? 'Client: DNS client, ApplicationProtocol: DNS' : 'Client: SSL client, ApplicationProtocol: HTTPS';
    out.push(line(t, 1, `430002: ${head(t, action)}, ${app}, InitiatorPackets: 1, ResponderPackets: 1, InitiatorBytes: 74, ResponderBytes: 74, NAPPolicy: Balanced Security and Connectivity${nat}`));
    const end = t + dur + rnd();
    later(end, line(end, 1, `430003: ${head(t, action)}, ${app}, ConnectionDuration: ${dur}, InitiatorPackets: ${ip}, ResponderPackets: ${rp}, ` +
      `InitiatorBytes: ${ip * 120}, ResponderBytes: ${rp * 900}, NAPPolicy: Balanced Security and Connectivity${nat}`));
    if (inbound && !udp && rnd() < 0.2) {
      const at = end + rnd() * 0.9;
      later(at, line(at, 7, `106015: Deny TCP (no connection) from ${s}/${sp} to ${c}/${cp} flags RST  on interface ${ei}`));
    }
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, out: { type: 'string' }, seed: { type: 'string', default: '1' } } });
  const text = generateFtdLog(Number(values.lines), Number(values.seed));
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
}
