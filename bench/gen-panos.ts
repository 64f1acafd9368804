/**
 * Deterministic synthetic PAN-OS syslog for the benchmark and test/read-panos.test.ts: TRAFFIC and
 * THREAT logs in the default CSV format (field order of the admin guide's Traffic / Threat Log
 * Fields), in time order from 2024-03-05 00:00:00 UTC. Same arguments, same text (a seeded PRNG).
 *
 * What the lines are (shares of lines, roughly):
 *   ~75 %  TCP sessions: an end log each (20 % also a start log, the option "log at session start"),
 *          reasons (shares of sessions): 60 % tcp-fin (the seed's close: the late RST it may be
 *          followed by is not logged by PAN-OS), 7 % each tcp-rst-from-client / -server, 6 % aged-out,
 *          5 % app incomplete + aged-out (SYN unanswered), 3.5 % incomplete + RST, 2.5 % threat (with
 *          its THREAT reset-both line a moment before the end), and policy-deny, tcp-reuse, decoder,
 *          the decrypt reasons, resources-unavailable, unknown (aged-out after
 *          an application's own timeout, 15-60 s, or TCP's 3600 s); 40 % inbound to a destination-NATed
 *          server, 60 % outbound through source NAT (PAT), 5 % IPv6 without NAT
 *   ~10 %  UDP sessions (DNS, aged-out)
 *    ~9 %  drop logs of SYNs denied by the interzone default rule, 1-3 of one tuple (retries)
 *    ~3 %  THREAT alerts, SYSTEM logs
 * Layouts: 70 % PAN-OS 10.1+ (115 fields, ~700 bytes), 20 % 9.1 (75), 10 % 8.1 (65); envelopes: 85 %
 * BSD syslog (`<14>Mar  5 10:00:00 host `), 15 % RFC 5424.
 *
 *   node dist/bench/gen-panos.js --lines 100000 > panos.log
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { mulberry32 } from './gen.js';

const HOST = 'PA-5220-dc1';
const SERIAL = '013201009999';
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const T0 = Date.UTC(2024, 2, 5) / 1000;
const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** Session end reasons (per mille of TCP sessions); `/incomplete`: App-ID incomplete (handshake never completed). */
const REASONS: readonly [string, number][] = [
  ['tcp-fin', 600], ['tcp-rst-from-client', 70], ['tcp-rst-from-server', 70], ['aged-out', 60], ['aged-out/incomplete', 50],
  ['tcp-rst-from-server/incomplete', 20], ['tcp-rst-from-client/incomplete', 15], ['threat', 25], ['policy-deny', 20],
  ['tcp-reuse', 15], ['decoder', 15], ['decrypt-error', 10], ['decrypt-cert-validation', 10], ['decrypt-unsupport-param', 10],
  ['resources-unavailable', 5], ['unknown', 5],
];
const TOTAL = REASONS.reduce((s, r) => s + r[1], 0);

/** Fields 54.. of each layout (all constant but 10.1's high-resolution time at 102): before and after that time. */
const TAIL: Readonly<Record<number, [string, string]>> = {
  65: [',,,0,,0,,N/A,0,0,0,0', ''],
  75: [',,,0,,0,,N/A,0,0,0,0,5d7e2c3a-1f0b-4c7e-9a51-0c3f6a1e2b40,0,0,,,,,,,', ''],
  115: [',,,0,,0,,N/A,0,0,0,0,5d7e2c3a-1f0b-4c7e-9a51-0c3f6a1e2b40,0,0' + ','.repeat(34) + ',0,',
    ',,,encrypted-tunnel,networking,browser-based,4,"used-by-malware,able-to-transfer-file,has-known-vulnerability",,,no,no,0'],
};

export function generatePanosLog(lines: number, seed = 1): string {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const N = Math.max(0, Math.floor(lines));
  // lines waiting for their second, by second since T0
  const due = new Map<number, string[]>();
  const at = (t: number, l: string): void => {
    const s = Math.floor(t);
    (due.get(s) ?? due.set(s, []).get(s)!).push(l);
  };
  const stamp = (t: number): string => {
    const d = new Date((T0 + Math.floor(t)) * 1000);
    return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  };
  const envelope = (t: number): string => {
    const d = new Date((T0 + Math.floor(t)) * 1000);
    if (rnd() < 0.15) return `<14>1 ${d.toISOString().slice(0, 19)}+00:00 ${HOST} - - - - `;
    const day = d.getUTCDate();
    return `<14>${MON[d.getUTCMonth()]} ${day < 10 ? ' ' + day : day} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${HOST} `;
  };
  let seq = 7_100_000_000;
  let id = 200_000;
  let pat = 0;

  interface S { sub: string; t: number; start: number; src: string; dst: string; sp: number; dp: number; nsrc: string; ndst: string; nsp: number; ndp: number;
    rule: string; app: string; from: string; to: string; ifin: string; ifout: string; id: number; proto: string; action: string; bytes: number; pkts: number; reason: string }
  const traffic = (s: S): string => {
    const layout = rnd() < 0.7 ? 115 : rnd() < 0.67 ? 75 : 65;
    const gen = stamp(s.t), recv = stamp(s.t + 1);
    const sent = Math.floor(s.bytes / 3), ps = Math.ceil(s.pkts / 2);
    const tail = TAIL[layout]!;
    const flags = s.nsrc !== '0.0.0.0' || s.ndst !== '0.0.0.0' ? '0x400019' : s.src.includes(':') ? '0x2000019' : '0x19';
    return envelope(s.t + 1) + `1,${recv},${SERIAL},TRAFFIC,${s.sub},2561,${gen},${s.src},${s.dst},${s.nsrc},${s.ndst},${s.rule},,,${s.app},vsys1,` +
      `${s.from},${s.to},${s.ifin},${s.ifout},default,${recv},${s.id},1,${s.sp},${s.dp},${s.nsp},${s.ndp},${flags},${s.proto},${s.action},` +
      `${s.bytes},${sent},${s.bytes - sent},${s.pkts},${stamp(s.start)},${Math.floor(s.t - s.start)},any,0,${seq++},0x0,` +
      `10.0.0.0-10.255.255.255,United States,0,${ps},${s.pkts - ps},${s.reason},0,0,0,0,,${HOST},from-policy` +
      tail[0] + (layout === 115 ? `${gen.replace(/\//g, '-').replace(' ', 'T')}.${p2(int(100))}0+00:00` + tail[1] : '');
  };
  const threat = (s: S, t: number, action: string, sev: string): string => {
    const gen = stamp(t);
    return envelope(t + 1) + `1,${stamp(t + 1)},${SERIAL},THREAT,vulnerability,2561,${gen},${s.src},${s.dst},${s.nsrc},${s.ndst},${s.rule},,,${s.app},vsys1,` +
      `${s.from},${s.to},${s.ifin},${s.ifout},default,${gen},${s.id},1,${s.sp},${s.dp},${s.nsp},${s.ndp},0x80000000,${s.proto},${action},` +
      `"www.example.com/cgi-bin/x.cgi?a=1,2",Generic HTTP Exploit Attempt(${30000 + int(9000)}),code-execution,${sev},client-to-server,${seq++},0x2000000000000000,` +
      `United States,10.0.0.0-10.255.255.255,0,,0,,,,,,,,,,,,0,0,0,0,,${HOST},,,,,0,,0,,N/A,code-execution,AppThreat-8800-8000,0x0,0,4294967295`;
  };

  /** a new session's endpoints (NAT as a perimeter firewall does it) */
  const endpoints = (proto: string): Omit<S, 'sub' | 't' | 'start' | 'app' | 'action' | 'bytes' | 'pkts' | 'reason'> => {
    const sid = (id += 1 + int(5));
    if (rnd() < 0.05) {
      return { src: `2001:db8:a::${(1 + int(0xfffe)).toString(16)}`, dst: `2001:db8:b::${1 + int(200)}`, sp: 1024 + int(64000), dp: pick([443, 443, 80]),
        nsrc: '::', ndst: '::', nsp: 0, ndp: 0, rule: 'allow-v6-web', from: 'trust', to: 'untrust', ifin: 'ethernet1/2', ifout: 'ethernet1/1', id: sid, proto };
    }
    if (rnd() < 0.4) {
      const dp = proto === 'udp' ? 53 : pick([443, 443, 443, 80, 25]);
      const k = int(50);
      return { src: `203.0.113.${1 + int(254)}`, dst: `192.0.2.${10 + k}`, sp: 1024 + int(64000), dp, nsrc: '0.0.0.0', ndst: `10.2.${k >> 4}.${10 + (k & 15)}`, nsp: 0, ndp: dp,
        rule: proto === 'udp' ? 'publish-dns' : 'publish-web', from: 'untrust', to: 'dmz', ifin: 'ethernet1/1', ifout: 'ethernet1/3', id: sid, proto };
    }
    const sp = 1024 + int(64000);
    const np = 1024 + (pat++ % 64000);
    return { src: `10.1.${int(64)}.${1 + int(254)}`, dst: `198.51.100.${1 + int(254)}`, sp, dp: proto === 'udp' ? 53 : pick([443, 443, 443, 80, 22, 993]),
      nsrc: '198.51.100.1', ndst: '0.0.0.0', nsp: np, ndp: 0, rule: proto === 'udp' ? 'allow-dns' : 'allow-outbound', from: 'trust', to: 'untrust', ifin: 'ethernet1/2', ifout: 'ethernet1/1', id: sid, proto };
  };

  const session = (t: number): void => {
    const r = rnd();
    if (r < 0.1) {
      const e = endpoints('udp');
      at(t + 30, traffic({ ...e, sub: 'end', t: t + 30, start: t, app: 'dns', action: 'allow', bytes: 180 + int(400), pkts: 2, reason: 'aged-out' }));
      return;
    }
    if (r < 0.17) {
      // a SYN denied by policy, retried 0-2 times
      const e = endpoints('tcp');
      e.rule = 'interzone-default';
      for (let k = 0, n = 1 + int(3); k < n; k++) {
        const tk = t + k * 3;
        at(tk, traffic({ ...e, id: e.id + k, sub: 'drop', t: tk, start: tk, app: 'not-applicable', action: 'drop', bytes: 66, pkts: 1, reason: 'policy-deny', ndst: '0.0.0.0', ndp: 0, nsrc: e.src.includes(':') ? '::' : '0.0.0.0', nsp: 0 }));
      }
      id += 3;
      return;
    }
    if (r < 0.2) {
      if (rnd() < 0.7) {
        const e = endpoints('tcp');
        at(t, threat({ ...e, sub: '', t, start: t, app: 'web-browsing', action: 'alert', bytes: 0, pkts: 0, reason: '' }, t, 'alert', pick(['low', 'medium', 'informational'])));
      } else {
        const g = stamp(t);
        at(t, envelope(t) + `1,${g},${SERIAL},SYSTEM,general,2561,${g},,general,,0,0,general,informational,"User admin logged in via Web from 192.0.2.200",${seq++},0x0,0,0,0,0,,${HOST}`);
      }
      return;
    }
    let x = rnd() * TOTAL;
    let [reason] = REASONS[0]!;
    for (const [w, n] of REASONS) if ((x -= n) < 0) { reason = w; break; }
    const incomplete = reason.endsWith('/incomplete');
    if (incomplete) reason = reason.slice(0, -11);
    const e = endpoints('tcp');
    const d = incomplete ? (reason === 'aged-out' ? 10 : 0) : reason === 'aged-out' ? pick([15, 30, 60, 3600 + int(600)]) : Math.floor(-Math.log(1 - rnd()) * (rnd() < 0.9 ? 20 : 400));
    const app = incomplete ? 'incomplete' : pick(['ssl', 'ssl', 'web-browsing', 'ssh', 'smtp']);
    const bytes = incomplete ? 66 + int(80) : Math.floor(Math.exp(6 + rnd() * 10));
    const pkts = incomplete ? 1 + int(3) : 8 + int(200);
    if (rnd() < 0.2) at(t, traffic({ ...e, sub: 'start', t, start: t, app: incomplete ? 'incomplete' : app, action: 'allow', bytes: 74, pkts: 1, reason: 'n/a' }));
    if (reason === 'threat') at(t + d - rnd(), threat({ ...e, sub: '', t, start: t, app, action: 'reset-both', bytes: 0, pkts: 0, reason: '' }, t + d - 1, 'reset-both', 'critical'));
    at(t + d, traffic({ ...e, sub: 'end', t: t + d, start: t, app, action: 'allow', bytes, pkts, reason }));
  };

  const out: string[] = [];
  let t = 0;
  let sec = 0;
  while (out.length < N) {
    // a new session every ~20 ms; the lines of each second past go out in order
    t += rnd() * 0.04;
    session(t);
    for (; sec < Math.floor(t) && out.length < N; sec++) {
      const ls = due.get(sec);
      if (!ls) continue;
      due.delete(sec);
      for (const l of ls) if (out.length < N) out.push(l);
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { lines: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' } } });
  process.stdout.write(generatePanosLog(Number(values.lines), Number(values.seed)));
}
