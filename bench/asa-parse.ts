/**
 * Micro-benchmark of the firewall log line parser: parseEnvelope + parseAsaBody per line, on
 * ~200k realistic lines generated in memory (the common message ids, four envelope shapes: the
 * ASA's own header, RFC 3164, RFC 5424, the relay prefix of fixtures/logs/seed-asa.log). Best of
 * 5 rounds, one core. Not a test: it asserts nothing but that both paths read the same lines.
 *
 *   npx tsx bench/asa-parse.ts                 # 200k lines, 5 rounds
 *   npx tsx bench/asa-parse.ts --lines 50000 --rounds 3
 *   npx tsx bench/asa-parse.ts --only fast     # or --only regex: one path (e.g. under valgrind)
 *
 * The same run also times the regex fallbacks (parseEnvelopeSlow, parseAsaBodySlow): the path
 * every line took before the hand-written fast paths (plus the forms added with them).
 */
import { parseArgs } from 'node:util';
import * as asa from '../src/read/asa.js';
import * as envelope from '../src/read/syslog-envelope.js';
import { mulberry32 } from './gen.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '5' },
    /** time only one path: 'fast' (parseEnvelope + parseAsaBody) or 'regex' (the fallbacks) */
    only: { type: 'string' },
  },
});
const N = Number(values.lines);
const ROUNDS = Number(values.rounds);

const rnd = mulberry32(7);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number): string => String(n).padStart(2, '0');
const v4 = (net: string): string => `${net}.${int(254) + 1}`;
const v6 = (): string => `2001:db8:${(int(0xffff) + 1).toString(16)}::${(int(0xffff) + 1).toString(16)}`;
const REASONS = ['TCP FINs', 'TCP FINs', 'TCP FINs', 'TCP Reset-I', 'TCP Reset-O', 'SYN Timeout', 'Idle Timeout', 'FIN Timeout', 'TCP Reset-APPLIANCE', 'Conn-timeout'];
const IFACES = ['outside', 'inside', 'dmz', 'OUTSIDE', 'INSIDE'];

function host(): { a: string; b: string; ia: string; ib: string } {
  if (rnd() < 0.05) return { a: v6(), b: v6(), ia: 'outside', ib: 'dmz' };
  return { a: v4(pick(['198.51.100', '203.0.113', '192.0.2'])), b: v4(pick(['10.0.0', '172.17.77', '10.1.1'])), ia: pick(IFACES), ib: pick(IFACES) };
}
const port = (): number => 1024 + int(64000);

/** One body of a common message: [severity, msgid, body]. */
function body(): [number, number, string] {
  const h = host();
  const pa = port();
  const pb = pick([443, 80, 22, 53, 3389, 8443]);
  const id = 1000000 + int(90000000);
  const r = rnd();
  if (r < 0.22) {
    const m = rnd() < 0.3 ? `${v4('203.0.113')}/${port()}` : `${h.b}/${pb}`;
    return [6, 302013, `Built ${pick(['inbound', 'outbound'])} TCP connection ${id} for ${h.ia}:${h.a}/${pa} (${h.a}/${pa}) to ${h.ib}:${h.b}/${pb} (${m})`];
  }
  if (r < 0.44) {
    const from = rnd() < 0.6 ? ` from ${h.ia}` : '';
    const d = `${int(3)}:${p2(int(60))}:${p2(int(60))}`;
    return [6, 302014, `Teardown TCP connection ${id} for ${h.ia}:${h.a}/${pa} to ${h.ib}:${h.b}/${pb} duration ${d} bytes ${int(2000000)} ${pick(REASONS)}${from}`];
  }
  if (r < 0.52) return [6, 302015, `Built ${pick(['inbound', 'outbound'])} UDP connection ${id} for ${h.ia}:${h.a}/${pa} (${h.a}/${pa}) to ${h.ib}:${h.b}/53 (${h.b}/53)`];
  if (r < 0.6) return [6, 302016, `Teardown UDP connection ${id} for ${h.ia}:${h.a}/${pa} to ${h.ib}:${h.b}/53 duration 0:02:${p2(int(60))} bytes ${int(5000)}`];
  if (r < 0.66) return [6, 106015, `Deny TCP (no connection) from ${h.b}/${pb} to ${h.a}/${pa} flags ${pick(['RST', 'RST ACK', 'FIN ACK', 'FIN PSH ACK', 'ACK'])}  on interface ${h.ib}`];
  if (r < 0.74) {
    if (rnd() < 0.2) return [4, 106023, `Deny icmp src ${h.ia}:${h.a} dst ${h.ib}:${h.b} (type 8, code 0) by access-group "outside_access_in" [0x0, 0x0]`];
    return [4, 106023, `Deny ${pick(['tcp', 'udp'])} src ${h.ia}:${h.a}/${pa} dst ${h.ib}:${h.b}/${pb} by access-group "outside_access_in" [0x51013fd8, 0x0]`];
  }
  if (r < 0.82) {
    const iv = rnd() < 0.5 ? '(first hit)' : '(300-second interval)';
    return [6, 106100, `access-list outside_in ${pick(['permitted', 'denied'])} tcp ${h.ia}/${h.a}(${pa}) -> ${h.ib}/${h.b}(${pb}) hit-cnt ${int(20) + 1} ${iv} [0x8d6a1b2c, 0x0]`];
  }
  if (r < 0.88) {
    if (rnd() < 0.5) return [6, 609001, `Built local-host ${h.ia}:${h.a}`];
    return [6, 609002, `Teardown local-host ${h.ia}:${h.a} duration 0:00:${p2(int(60))}`];
  }
  if (r < 0.96) {
    const t = pick(['TCP', 'UDP']);
    const m = `${v4('203.0.113')}/${port()}`;
    if (rnd() < 0.5) return [6, 305011, `Built dynamic ${t} translation from inside:${h.b}/${pa} to outside:${m}`];
    return [6, 305012, `Teardown dynamic ${t} translation from inside:${h.b}/${pa} to outside:${m} duration 0:00:${p2(int(60))}`];
  }
  return pick<[number, number, string]>([
    [5, 111008, "User 'enable_15' executed the 'clear conn' command."],
    [7, 710005, `TCP request discarded from ${h.a}/${pa} to outside:203.0.113.1/443`],
    [4, 733100, '[ Scanning] drop rate-1 exceeded. Current burst rate is 1 per second, max configured rate is 10'],
  ]);
}

function line(i: number): string {
  const [sev, id, b] = body();
  const vendor = rnd() < 0.9 ? 'ASA' : 'FTD';
  const mo = MON[5]!;
  const d = 20;
  const t = 40000 + i;
  const hms = `${p2(Math.floor(t / 3600) % 24)}:${p2(Math.floor(t / 60) % 60)}:${p2(t % 60)}`;
  const pri = `<${160 + sev}>`;
  const marker = `%${vendor}-${sev}-${id}: ${b}`;
  switch (i % 4) {
    case 0: // the ASA's own header (logging timestamp, logging device-id hostname)
      return `${pri}${mo} ${d} 2018 ${hms} fw01 : ${marker}`;
    case 1: // RFC 3164 from a syslog daemon
      return `${pri}${mo} ${d} ${hms} fw01 ${marker}`;
    case 2: // RFC 5424
      return `${pri}1 2018-06-${d}T${hms}.${String(int(1000)).padStart(3, '0')}Z fw01 asa - - - ${marker}`;
    default: // the seed's relay prefix in front of the ASA header
      return `${DAY[3]} ${mo} ${d} ${hms} 2018;172.17.70.1; ${pri}${mo} ${d} 2018 ${hms} 172.17.70.1 : ${marker}`;
  }
}

// The reader's lines are slices of one latin1 string per block read (log-lines.ts), not the
// concatenations (cons strings) the generator makes: cut them the same way.
const made: string[] = [];
for (let i = 0; i < N; i++) made.push(line(i));
const block = Buffer.from(made.join('\n'), 'latin1').toString('latin1');
const lines: string[] = [];
for (let start = 0; start < block.length; ) {
  let nl = block.indexOf('\n', start);
  if (nl < 0) nl = block.length;
  lines.push(block.slice(start, nl));
  start = nl + 1;
}

type Env = (l: string) => ReturnType<typeof envelope.parseEnvelope>;
type Body = (id: number, b: string) => ReturnType<typeof asa.parseAsaBody>;

/** One pass over all lines; returns a checksum so the work cannot be skipped. */
function pass(parseEnv: Env, parseBody: Body): number {
  let sum = 0;
  for (let i = 0; i < lines.length; i++) {
    const r = parseEnv(lines[i]!);
    if (r === null || !r.ok) {
      sum -= 1;
      continue;
    }
    const f = parseBody(r.env.msgid, r.env.body);
    if ('error' in f) sum -= 1000;
    else sum += f.kind.length + (f.src?.port ?? 0) + (r.env.fw?.s ?? 0);
  }
  return sum;
}

/**
 * Best of ROUNDS passes of each path, the paths taking turns round by round (so that a change in
 * the machine's load hits them alike). `cpu`: the process's CPU time (user + system, GC threads
 * included), which other load on the machine disturbs far less than the wall time also shown.
 */
function measure(paths: Array<[string, Env, Body]>): Map<string, { us: number; sum: number }> {
  const res = new Map<string, { cpu: number; wall: number; sum: number }>();
  for (let k = 0; k < ROUNDS; k++) {
    for (const [name, parseEnv, parseBody] of paths) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const sum = pass(parseEnv, parseBody);
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const r = res.get(name) ?? { cpu: Infinity, wall: Infinity, sum };
      res.set(name, { cpu: Math.min(r.cpu, (c.user + c.system) / 1000), wall: Math.min(r.wall, wall), sum });
    }
  }
  const out = new Map<string, { us: number; sum: number }>();
  for (const [name, r] of res) {
    const us = (r.cpu * 1000) / lines.length;
    process.stdout.write(`${name.padEnd(28)} ${us.toFixed(3)} µs/line cpu, ${((r.wall * 1000) / lines.length).toFixed(3)} wall  (best of ${ROUNDS}, checksum ${r.sum})\n`);
    out.set(name, { us, sum: r.sum });
  }
  return out;
}

const noBody: Body = () => ({ kind: 'other' });
const FAST = 'envelope + body';
const REGEX = 'regex fallback: env + body';
const paths: Array<[string, Env, Body]> = [];
if (values.only !== 'regex') paths.push([FAST, envelope.parseEnvelope, asa.parseAsaBody]);
if (values.only === undefined) paths.push(['  envelope only', envelope.parseEnvelope, noBody]);
if (values.only !== 'fast') paths.push([REGEX, envelope.parseEnvelopeSlow, asa.parseAsaBodySlow]);
if (values.only === undefined) paths.push(['  regex envelope only', envelope.parseEnvelopeSlow, noBody]);

process.stdout.write(`node ${process.version}, ${lines.length} lines, e.g.\n  ${lines.slice(0, 4).join('\n  ')}\n`);
const r = measure(paths);
const fast = r.get(FAST);
const slow = r.get(REGEX);
if (fast && slow) {
  if (slow.sum !== fast.sum) process.stdout.write(`CHECKSUMS DIFFER: fast ${fast.sum}, regex ${slow.sum}\n`);
  process.stdout.write(`speed-up ${(slow.us / fast.us).toFixed(1)}x\n`);
}
