/**
 * Deterministic Juniper SRX RT_FLOW log for the benchmark and the tests: two firewalls, one
 * sending the structured-data form (RFC 5424, `[junos@2636.1.1.1.2.26 ...]`), the other the plain
 * form (RFC 3164 header, the 12.1X44+ layout), their sessions interleaved: TCP, UDP and ICMP
 * sessions opened (RT_FLOW_SESSION_CREATE) and closed (RT_FLOW_SESSION_CLOSE) with every close
 * reason of src/read/srx-reasons.ts (each at least once when the log has room, the common ones
 * most), policy denies (RT_FLOW_SESSION_DENY), source and destination NAT, 5 % IPv6.
 *
 * The seed's pattern on an SRX is a `TCP FIN` close and nothing more: the server's late RST is
 * dropped for want of a session without a line (see srx.ts), so the generator writes none either.
 * Same arguments, same text (a seeded PRNG, fixed start time 2024-03-05T00:00:00Z).
 */
import { mulberry32 } from './gen.js';
import { SRX_REASONS } from '../src/read/srx-reasons.js';

interface Session {
  id: number;
  dev: number; // 0: structured, 1: plain
  proto: 6 | 17 | 1;
  sa: string; sp: number; da: string; dp: number;
  nsa: string; nsp: number; nda: string; ndp: number;
  snat: string; dnat: string; // rule names, 'N/A' when none
  service: string; policy: string; from: string; to: string; iface: string;
  start: number;
}

const TCP_REASONS = Object.keys(SRX_REASONS).filter((r) => r !== 'response received' && r !== 'unset');
const HOSTS = ['srx-dc1', 'srx-br1'];
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** `lines` lines of SRX session log (newline-terminated), the same for the same seed. */
export function generateSrxLog(lines: number, seed = 1): string {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;
  const v4 = (net: string): string => `${net}.${int(254) + 1}`;
  const v6 = (net: string): string => `2001:db8:${net}::${(int(0xfffe) + 1).toString(16)}`;
  const out: string[] = [];
  const open: Session[] = [];
  let id = 100000 + int(1000);
  let t = Date.UTC(2024, 2, 5);
  // every reason once first (when there is room), then the mix
  const firstReasons = lines >= 400 ? [...TCP_REASONS] : [];

  const header = (dev: number): string => {
    const d = new Date(t);
    if (dev === 0) return `<14>1 ${d.toISOString()} ${HOSTS[0]} RT_FLOW - `;
    return `<14>${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${HOSTS[1]} RT_FLOW: `;
  };

  const newSession = (): Session => {
    const dev = int(2);
    const r = rnd();
    const proto = r < 0.8 ? 6 : r < 0.96 ? 17 : 1;
    const six = rnd() < 0.05;
    const inbound = rnd() < 0.25;
    const s: Session = {
      id: id++, dev, proto, sa: '', sp: proto === 1 ? int(65535) : 1024 + int(64000), da: '', dp: 0,
      nsa: '', nsp: 0, nda: '', ndp: 0, snat: 'N/A', dnat: 'N/A', service: '', policy: '', from: '', to: '', iface: '', start: t,
    };
    s.dp = proto === 6 ? pick([443, 443, 80, 22, 25, 3389, 8443]) : proto === 17 ? pick([53, 123, 514]) : 2048;
    s.service = proto === 1 ? 'icmp' : ({ 443: 'junos-https', 80: 'junos-http', 22: 'junos-ssh', 25: 'junos-smtp', 3389: 'junos-rdp', 53: 'junos-dns-udp', 123: 'junos-ntp' } as Record<number, string>)[s.dp] ?? 'None';
    if (inbound) {
      s.sa = six ? v6('9') : v4(pick(['198.51.100', '203.0.113']));
      s.da = six ? v6('2') : v4('203.0.113');
      s.from = 'untrust'; s.to = 'dmz'; s.policy = 'untrust-to-dmz'; s.iface = 'reth0.0';
      s.nsa = s.sa; s.nsp = s.sp; s.nda = s.da; s.ndp = s.dp;
      if (!six && rnd() < 0.4) { s.nda = v4('192.0.2'); s.dnat = 'dnat-web'; }
    } else {
      s.sa = six ? v6('1') : v4('192.0.2');
      s.da = six ? v6('2') : v4(pick(['198.51.100', '203.0.113']));
      s.from = 'trust'; s.to = 'untrust'; s.policy = 'trust-to-untrust'; s.iface = 'reth1.0';
      s.nsa = s.sa; s.nsp = s.sp; s.nda = s.da; s.ndp = s.dp;
      if (!six && rnd() < 0.6) { s.nsa = v4('198.51.100'); s.nsp = 1024 + int(64000); s.snat = 'snat-out'; }
    }
    return s;
  };

  const sd = (name: string, kv: Array<[string, string | number]>): string =>
    `${name} [junos@2636.1.1.1.2.26 ${kv.map(([k, v]) => `${k}="${v}"`).join(' ')}]`;
  const ruleType = (rule: string, type: string): string => (rule === 'N/A' ? 'N/A' : type);

  const create = (s: Session): string => {
    if (s.dev === 0) {
      return header(0) + sd('RT_FLOW_SESSION_CREATE', [
        ['source-address', s.sa], ['source-port', s.sp], ['destination-address', s.da], ['destination-port', s.dp], ['connection-tag', 0],
        ['service-name', s.service], ['nat-source-address', s.nsa], ['nat-source-port', s.nsp], ['nat-destination-address', s.nda],
        ['nat-destination-port', s.ndp], ['nat-connection-tag', 0], ['src-nat-rule-type', ruleType(s.snat, 'source rule')], ['src-nat-rule-name', s.snat],
        ['dst-nat-rule-type', ruleType(s.dnat, 'destination rule')], ['dst-nat-rule-name', s.dnat], ['protocol-id', s.proto], ['policy-name', s.policy],
        ['source-zone-name', s.from], ['destination-zone-name', s.to], ['session-id-32', s.id], ['username', 'N/A'], ['roles', 'N/A'],
        ['packet-incoming-interface', s.iface], ['application', 'UNKNOWN'], ['nested-application', 'UNKNOWN'], ['encrypted', 'UNKNOWN'],
      ]);
    }
    return header(1) + `RT_FLOW_SESSION_CREATE: session created ${s.sa}/${s.sp}->${s.da}/${s.dp} 0x0 ${s.service} ${s.nsa}/${s.nsp}->${s.nda}/${s.ndp} 0x0 ` +
      `${ruleType(s.snat, 'source rule')} ${s.snat} ${ruleType(s.dnat, 'destination rule')} ${s.dnat} ${s.proto} ${s.policy} ${s.from} ${s.to} ${s.id} ` +
      `N/A(N/A) ${s.iface} UNKNOWN UNKNOWN UNKNOWN N/A N/A -1 N/A N/A N/A Off root`;
  };

  const close = (s: Session, reason: string): string => {
    const pc = 1 + int(400), ps = 1 + int(600);
    const bc = pc * (60 + int(900)), bs = ps * (60 + int(1400));
    const el = Math.round((t - s.start) / 1000);
    if (s.dev === 0) {
      return header(0) + sd('RT_FLOW_SESSION_CLOSE', [
        ['reason', reason], ['source-address', s.sa], ['source-port', s.sp], ['destination-address', s.da], ['destination-port', s.dp],
        ['connection-tag', 0], ['service-name', s.service], ['nat-source-address', s.nsa], ['nat-source-port', s.nsp], ['nat-destination-address', s.nda],
        ['nat-destination-port', s.ndp], ['nat-connection-tag', 0], ['src-nat-rule-type', ruleType(s.snat, 'source rule')], ['src-nat-rule-name', s.snat],
        ['dst-nat-rule-type', ruleType(s.dnat, 'destination rule')], ['dst-nat-rule-name', s.dnat], ['protocol-id', s.proto], ['policy-name', s.policy],
        ['source-zone-name', s.from], ['destination-zone-name', s.to], ['session-id-32', s.id], ['packets-from-client', pc], ['bytes-from-client', bc],
        ['packets-from-server', ps], ['bytes-from-server', bs], ['elapsed-time', el], ['application', 'UNKNOWN'], ['nested-application', 'UNKNOWN'],
        ['username', 'N/A'], ['roles', 'N/A'], ['packet-incoming-interface', s.iface], ['encrypted', 'No'],
      ]);
    }
    return header(1) + `RT_FLOW_SESSION_CLOSE: session closed ${reason}: ${s.sa}/${s.sp}->${s.da}/${s.dp} 0x0 ${s.service} ${s.nsa}/${s.nsp}->${s.nda}/${s.ndp} 0x0 ` +
      `${ruleType(s.snat, 'source rule')} ${s.snat} ${ruleType(s.dnat, 'destination rule')} ${s.dnat} ${s.proto} ${s.policy} ${s.from} ${s.to} ${s.id} ` +
      `${pc}(${bc}) ${ps}(${bs}) ${el} UNKNOWN UNKNOWN N/A(N/A) ${s.iface} No`;
  };

  const deny = (): string => {
    const dev = int(2);
    const six = rnd() < 0.05;
    const sa = six ? v6('9') : v4(pick(['198.51.100', '203.0.113'])), da = six ? v6('2') : v4('203.0.113');
    const sp = 1024 + int(64000), dp = pick([22, 23, 445, 3389, 1433]), proto = rnd() < 0.9 ? 6 : 17;
    if (dev === 0) {
      return header(0) + sd('RT_FLOW_SESSION_DENY', [
        ['source-address', sa], ['source-port', sp], ['destination-address', da], ['destination-port', dp], ['connection-tag', 0], ['service-name', 'None'],
        ['protocol-id', proto], ['icmp-type', 0], ['policy-name', 'deny-all'], ['source-zone-name', 'untrust'], ['destination-zone-name', 'trust'],
        ['application', 'UNKNOWN'], ['nested-application', 'UNKNOWN'], ['username', 'N/A'], ['roles', 'N/A'], ['packet-incoming-interface', 'reth0.0'],
        ['encrypted', 'No'], ['reason', 'Denied by policy'], ['session-id-32', 0],
      ]);
    }
    return header(1) + `RT_FLOW_SESSION_DENY: session denied ${sa}/${sp}->${da}/${dp} 0x0 None ${proto}(0) deny-all untrust trust UNKNOWN UNKNOWN N/A(N/A) reth0.0 No Denied by policy 0 N/A N/A -1 N/A`;
  };

  const reasonFor = (s: Session): string => {
    if (s.proto === 17) return pick(['unset', 'unset', 'idle Timeout', 'response received', 'ICMP error']);
    if (s.proto === 1) return pick(['response received', 'response received', 'ICMP error', 'unset']);
    if (firstReasons.length) return firstReasons.shift()!;
    const r = rnd();
    if (r < 0.55) return 'TCP FIN';
    if (r < 0.65) return 'TCP CLIENT RST';
    if (r < 0.75) return 'TCP SERVER RST';
    if (r < 0.8) return 'TCP RST';
    if (r < 0.88) return 'idle Timeout';
    if (r < 0.9) return 'aged out';
    return pick(TCP_REASONS);
  };

  while (out.length < lines) {
    t += int(40);
    const r = rnd();
    if (r < 0.04) out.push(deny());
    else if (open.length < 64 || (r < 0.52 && open.length < 4096)) {
      const s = newSession();
      open.push(s);
      out.push(create(s));
    } else {
      const k = int(open.length);
      const s = open[k]!;
      open[k] = open[open.length - 1]!;
      open.pop();
      out.push(close(s, reasonFor(s)));
    }
  }
  return out.join('\n') + '\n';
}
