/**
 * Fortinet FortiGate traffic logs, FortiOS 5.0 to 7.x ("FortiOS Log Message Reference", traffic
 * log ids 2-20): one line of `key=value` pairs a message, values quoted or not, in any syslog
 * envelope (FortiGate's own `<PRI>date=... time=...`, a relay's RFC 3164 header, RFC 5424):
 *
 *   date=2019-05-10 time=11:50:48 devname="FGT-1" devid="FGVM01" logid="0000000013" type="traffic"
 *   subtype="forward" level="notice" vd="root" eventtime=1557514248379911176 tz="-0700"
 *   srcip=10.1.100.11 srcport=58012 srcintf="port12" dstip=198.51.100.35 dstport=80
 *   dstintf="port11" sessionid=3000 proto=6 action="close" policyid=1 trandisp="snat"
 *   transip=203.0.113.1 transport=58012 duration=10 sentbyte=420 rcvdbyte=1605 ...
 *
 * FortiOS 5.0 writes `status=` where later versions write `action=`. `action` says how a session
 * ended (close, client-rst, server-rst, timeout, ip-conn, accept, dns: a teardown), that it
 * started (start: built) or that it was denied (deny). The invalid-packet log
 * (`config log setting` / `set log-invalid-packet enable`, `extended-log` from 7.4; log id 7,
 * `action="deny" policyid=0 msg="no session matched"`) is FortiGate's ASA 106015: a packet of no
 * session. FortiOS does not log its TCP flags (see NO_SESSION_FLAGS).
 * The statistics logged during a long session (log ids 20, 21) are kept as 'other': the session
 * is still open.
 *
 * The line is read in one pass (names with charCodeAt, values found with indexOf); only the fields
 * below are cut out of it.
 */
import { isIPv6 } from 'node:net';
import type { AsaFields, FwEndpoint, FwKind } from './asa.js';
import { stripControl, type Stamp } from './syslog-envelope.js';
import type { ReasonTable, VendorLine, VendorReader } from './vendors.js';

/**
 * How each `action` that ends a session maps to rsttui's teardown class and closing side
 * ('client' / 'server': the session's source / destination, which opened / answered it).
 * Timer defaults from FortiOS's `config system global` (tcp-timewait-timer 1 s, tcp-halfopen-timer
 * and tcp-halfclose-timer 120 s) and `config system session-ttl` (3600 s).
 */
export const FORTIGATE_REASONS: ReasonTable = {
  close: {
    teardown: 'graceful', side: 'none',
    meaning: 'normal close: FortiOS saw FIN from both sides, kept the session for its TIME_WAIT timer (1 s by default) and removed it; any later packet of it (like a late RST) is dropped as "no session matched"',
  },
  'client-rst': { teardown: 'abort', side: 'client', meaning: 'the client (the side that opened the session) sent a RST; FortiOS removed the session at once' },
  'server-rst': { teardown: 'abort', side: 'server', meaning: 'the server sent a RST; FortiOS removed the session at once' },
  timeout: {
    teardown: 'timeout', side: 'none',
    meaning: 'no packet for longer than the session TTL (3600 s by default), or a session stuck half-open or half-closed past its timer (120 s); FortiOS removed it silently, later packets are dropped as "no session matched"',
  },
  'ip-conn': { teardown: 'unanswered', side: 'none', meaning: 'a failed connection attempt: the destination never answered the session\'s first packets, or its answer did not come back' },
  accept: {
    teardown: 'open', side: 'none',
    meaning: 'the session was allowed and has ended, without FortiOS saying how (it writes accept for UDP, ICMP and other sessions, which end when idle)',
  },
  dns: { teardown: 'open', side: 'none', meaning: 'a DNS session whose query came back with an error; FortiOS does not say how the session itself ended' },
};

/**
 * TCP flags given to a "no session matched" drop: none (0), as FortiOS logs none; the correlation
 * reads 0 on a no-session deny as "flags not logged" (fw-groups.ts). FortiGate builds a session on
 * a SYN its policy accepts, so the dropped packet is no first SYN; right after a `close` of its tuple
 * it is taken to be the late RST (late-rst, rst-denied: the seed's situation); after a `timeout` it
 * is after-timeout, and on its own nothing more is claimed than the drop.
 */
export const NO_SESSION_FLAGS = 0;

const LEVELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'information', 'debug'];
const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmp6', 132: 'sctp' };

// the fields read, by slot
const KEYS = [
  'logid', 'type', 'level', 'date', 'time', 'tz', 'eventtime', 'devname', 'devid', 'srcip', 'srcport', 'srcintf',
  'dstip', 'dstport', 'dstintf', 'sessionid', 'proto', 'action', 'status', 'policyid', 'policyname', 'duration',
  'sentbyte', 'rcvdbyte', 'trandisp', 'transip', 'transport', 'tranip', 'tranport', 'msg',
] as const;
type Key = (typeof KEYS)[number];
const SLOT = Object.fromEntries(KEYS.map((k, i) => [k, i])) as Record<Key, number>;
const NKEYS = KEYS.length;

function keyHash(s: string, i: number, e: number): number {
  let h = 0;
  for (; i < e; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
/**
 * Field names by hash: a 256-slot table without collisions among KEYS (other names that land on
 * a slot are told apart by comparing the name). The bits of the hash it takes are found at load.
 */
const TABLE = new Int8Array(256);
const SHIFT = ((): number => {
  for (let sh = 0; sh < 24; sh++) {
    TABLE.fill(-1);
    let ok = true;
    KEYS.forEach((k, i) => {
      const at = (keyHash(k, 0, k.length) >>> sh) & 255;
      if (TABLE[at] !== -1) ok = false;
      TABLE[at] = i;
    });
    if (ok) return sh;
  }
  throw new Error('fortigate.ts: no collision-free field table');
})();

/** Where each field's value starts and ends in the line (-1: absent), and whether it has `\` escapes. */
const vs = new Int32Array(NKEYS);
const ve = new Int32Array(NKEYS);
const esc = new Uint8Array(NKEYS);
let line = '';

const has = (k: number): boolean => vs[k]! >= 0;
function str(k: number): string | undefined {
  if (vs[k]! < 0) return undefined;
  const v = line.slice(vs[k], ve[k]);
  return esc[k] ? v.replace(/\\(.)/g, '$1') : v;
}
/** The value as a whole number (NaN: absent, empty or not digits). */
function uint(k: number): number {
  const a = vs[k]!, b = ve[k]!;
  if (a < 0 || b <= a) return NaN;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}
/** The value equals `w` (ASCII, `w` lower case), case ignored. */
function eq(k: number, w: string): boolean {
  const a = vs[k]!;
  if (a < 0 || ve[k]! - a !== w.length) return false;
  for (let i = 0; i < w.length; i++) if ((line.charCodeAt(a + i) | 0x20) !== w.charCodeAt(i)) return false;
  return true;
}

/** `level` as a syslog severity; 6 (information) when absent or unknown. */
function severity(): number {
  for (let k = 0; k < LEVELS.length; k++) if (eq(SLOT.level, LEVELS[k]!)) return k;
  return 6;
}

class Bad extends Error {}

/** The address of field k, lower case; absent: undefined; not an address: Bad. */
function addrOf(k: number): string | undefined {
  const a = str(k);
  if (a === undefined) return undefined;
  let parts = 0, digits = 0, v = 0, ok = a.length > 0;
  for (let i = 0; i < a.length && ok; i++) {
    const c = a.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && v === 0) ok = false;
      v = v * 10 + c - 48;
      digits++;
    } else if (c === 46 && digits > 0 && v <= 255) {
      parts++;
      digits = v = 0;
    } else if (c === 58 || c === 46 || (c | 0x20) >= 97) {
      if (isIPv6(a)) return a.toLowerCase();
      ok = false;
    } else ok = false;
  }
  if (ok && parts === 3 && digits > 0 && v <= 255) return a;
  throw new Bad(`${KEYS[k]} "${a}" is not an IP address`);
}

function portOf(k: number): number | undefined {
  if (!has(k)) return undefined;
  const p = uint(k);
  if (!(p <= 65535)) throw new Bad(`${KEYS[k]} "${str(k)}" is not a port`);
  return p;
}

/** A count (bytes, seconds): absent or not a number gives undefined, not an error (FortiOS leaves some out). */
function countOf(k: number): number | undefined {
  const v = uint(k);
  return Number.isNaN(v) ? undefined : v;
}

/** `eventtime`: epoch seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude. */
function eventtime(): number | undefined {
  const a = vs[SLOT.eventtime]!, b = ve[SLOT.eventtime]!;
  const n = b - a;
  if (a < 0 || n < 9 || n > 20 || Number.isNaN(uint(SLOT.eventtime))) return undefined;
  // (nanoseconds pass 2^53: whole seconds and the fraction are read apart)
  const frac = n <= 11 ? 0 : n <= 14 ? 3 : n <= 17 ? 6 : 9;
  const secs = Number(line.slice(a, b - frac));
  const f = frac === 0 ? 0 : Number(line.slice(b - frac, b - frac + Math.min(frac, 6))) / 10 ** Math.min(frac, 6);
  return secs + f;
}

/** `date=YYYY-MM-DD time=HH:MM:SS [tz=+HHMM]` as a stamp; undefined when absent; Bad when impossible. */
function dateTime(): Stamp | undefined {
  const d = str(SLOT.date), t = str(SLOT.time);
  if (d === undefined || t === undefined) return undefined;
  const dm = /^(\d{4})-(\d\d)-(\d\d)$/.exec(d), tm = /^(\d\d):(\d\d):(\d\d)$/.exec(t);
  const st: Stamp | undefined = dm && tm ? { y: +dm[1]!, mo: +dm[2]! - 1, d: +dm[3]!, h: +tm[1]!, mi: +tm[2]!, s: +tm[3]!, us: 0 } : undefined;
  const days = st ? new Date(Date.UTC(st.y!, st.mo + 1, 0)).getUTCDate() : 0;
  if (!st || st.mo > 11 || st.d < 1 || st.d > days || st.h > 23 || st.mi > 59 || st.s > 60) throw new Bad(`impossible date/time "${d} ${t}"`);
  const z = /^([+-])(\d\d):?(\d\d)$/.exec(str(SLOT.tz) ?? '');
  if (z) st.offsetMin = (z[1] === '-' ? -1 : 1) * (+z[2]! * 60 + +z[3]!);
  return st;
}

/** Where the `key=value` run starts: the first token after the syslog header that is `name=`. */
function messageStart(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const p = i === 0 ? 32 : s.charCodeAt(i - 1);
    if (p !== 32 && p !== 9 && p !== 62) continue;
    let k = i;
    for (; k < s.length; k++) {
      const c = s.charCodeAt(k) | 0x20;
      if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57 && k > i) || c === 127)) break; // letters, digits, `_` (0x5f|0x20)
    }
    if (k > i && s.charCodeAt(k) === 61) return i;
  }
  return -1;
}

/** Reads every `key=value` of the line from `at`; the fields of KEYS land in vs/ve. Returns a quote left open. */
function scan(s: string, at: number): string | undefined {
  vs.fill(-1);
  esc.fill(0);
  const n = s.length;
  let i = at;
  while (i < n) {
    let c = s.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    const ks = i;
    let h = 0;
    while (i < n && (c = s.charCodeAt(i)) !== 61 && c !== 32 && c !== 9) {
      h = (Math.imul(h, 31) + c) | 0;
      i++;
    }
    if (i >= n || c !== 61) continue; // a word that is no pair (part of an unquoted value with spaces)
    const slot = TABLE[(h >>> SHIFT) & 255]!;
    const a0 = ++i;
    let a = a0, b: number, e = 0;
    // (values are most of a line: found with indexOf, not walked)
    if (i < n && s.charCodeAt(i) === 34) {
      a = a0 + 1;
      b = s.indexOf('"', a);
      while (b > 0 && s.charCodeAt(b - 1) === 92 && escaped(s, b)) {
        e = 1;
        b = s.indexOf('"', b + 1);
      }
      if (b < 0) return `quotes do not pair up: the value of ${s.slice(ks, a0 - 1)} has no closing quote`;
      i = b + 1;
    } else {
      b = s.indexOf(' ', a);
      if (b < 0) b = n;
      i = b;
    }
    if (slot >= 0 && a0 - 1 - ks === KEYS[slot]!.length && s.startsWith(KEYS[slot]!, ks)) {
      vs[slot] = a;
      ve[slot] = b;
      esc[slot] = e;
    }
  }
  return undefined;
}

/** Whether the quote at q is escaped: an odd number of backslashes before it. */
function escaped(s: string, q: number): boolean {
  let k = q - 1;
  while (s.charCodeAt(k) === 92) k--;
  return (q - 1 - k) % 2 === 1;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** One line as a FortiGate traffic message; null: not one; error: one, unreadable. */
export function parseFortigate(raw: string): VendorLine | { error: string } | null {
  const li = raw.indexOf('logid=');
  if (li < 0) return null;
  const at = messageStart(raw);
  if (at < 0 || at > li) return null;
  // the fields are read from the text as shown: control characters stripped, a tab made a space
  const tail = raw.slice(at);
  const body = CONTROL.test(tail) ? stripControl(tail) : tail;
  line = body;
  try {
    const open = scan(body, 0);
    if (!eq(SLOT.type, 'traffic')) return null;
    if (open !== undefined) return { error: open };
    return read(body, at);
  } catch (e) {
    if (e instanceof Bad) return { error: e.message };
    throw e;
  } finally {
    line = '';
  }
}

function read(body: string, at: number): VendorLine {
  const msgid = uint(SLOT.logid);
  if (Number.isNaN(msgid)) throw new Bad(`logid "${str(SLOT.logid)}" is not a number`);
  const action = str(has(SLOT.action) ? SLOT.action : SLOT.status);
  if (action === undefined || action === '') throw new Bad('no action (or status) field');
  const srcAddr = addrOf(SLOT.srcip), dstAddr = addrOf(SLOT.dstip);
  if (srcAddr === undefined || dstAddr === undefined) throw new Bad(`no ${srcAddr === undefined ? 'srcip' : 'dstip'} field`);
  const src: FwEndpoint = { addr: srcAddr }, dst: FwEndpoint = { addr: dstAddr };
  const sp = portOf(SLOT.srcport), dp = portOf(SLOT.dstport);
  if (sp !== undefined) src.port = sp;
  if (dp !== undefined) dst.port = dp;
  const sif = str(SLOT.srcintf), dif = str(SLOT.dstintf);
  if (sif) src.iface = sif;
  if (dif) dst.iface = dif;
  nat(src, dst);

  let kind: FwKind;
  const a = action.toLowerCase();
  if (msgid === 20 || msgid === 21) kind = 'other';
  else if (a === 'start') kind = 'built';
  else if (a === 'deny') kind = eq(SLOT.msg, 'no session matched') ? 'deny-no-conn' : 'deny';
  else kind = 'teardown';

  const fields: AsaFields = { kind, src, dst };
  const p = uint(SLOT.proto);
  if (!Number.isNaN(p)) fields.proto = PROTOCOLS[p] ?? String(p);
  else if (has(SLOT.proto)) throw new Bad(`proto "${str(SLOT.proto)}" is not a protocol number`);
  const id = uint(SLOT.sessionid);
  if (!Number.isNaN(id) && kind !== 'deny-no-conn' && kind !== 'deny') fields.connId = id;
  else if (has(SLOT.sessionid) && Number.isNaN(id)) throw new Bad(`sessionid "${str(SLOT.sessionid)}" is not a number`);
  if (kind === 'built' || kind === 'teardown' || kind === 'other') fields.initiator = 'src';
  if (kind === 'teardown' || kind === 'other') {
    if (kind === 'teardown') fields.reason = action;
    const d = countOf(SLOT.duration), sb = countOf(SLOT.sentbyte), rb = countOf(SLOT.rcvdbyte);
    if (d !== undefined) fields.duration = d;
    if (sb !== undefined || rb !== undefined) fields.bytes = (sb ?? 0) + (rb ?? 0);
  } else if (kind === 'deny' || kind === 'deny-no-conn') {
    if (sif) fields.iface = sif;
    if (kind === 'deny-no-conn') {
      if (fields.proto === 'tcp') fields.tcpFlags = NO_SESSION_FLAGS;
    } else {
      const pid = uint(SLOT.policyid);
      const name = str(SLOT.policyname);
      if (name) fields.acl = name;
      else if (!Number.isNaN(pid)) fields.acl = pid === 0 ? 'policy 0 (implicit deny)' : `policy ${pid}`;
    }
  }

  const out: VendorLine = { vendor: 'FortiGate', msgid, severity: severity(), at, body, fields };
  const epoch = eventtime();
  if (epoch !== undefined) out.epoch = epoch;
  else {
    const st = dateTime();
    if (st) out.stamp = st;
  }
  const dev = str(SLOT.devname) || str(SLOT.devid);
  if (dev) out.device = dev;
  return out;
}

/**
 * NAT as `trandisp` says: `snat` maps the source (transip/transport), `dnat` the destination
 * (tranip/tranport), `snat+dnat` both, `noop` none; without trandisp, whichever fields are there.
 */
function nat(src: FwEndpoint, dst: FwEndpoint): void {
  const disp = has(SLOT.trandisp) ? (str(SLOT.trandisp) ?? '').toLowerCase() : undefined;
  if (disp === undefined ? has(SLOT.transip) : disp.includes('snat')) mapped(src, SLOT.transip, SLOT.transport);
  if (disp === undefined ? has(SLOT.tranip) : disp.includes('dnat')) mapped(dst, SLOT.tranip, SLOT.tranport);
}

function mapped(ep: FwEndpoint, ak: number, pk: number): void {
  const a = addrOf(ak);
  if (a === undefined || a === '0.0.0.0' || a === '::') return;
  ep.mappedAddr = a;
  const p = portOf(pk);
  if (p !== undefined && p !== 0) ep.mappedPort = p;
}

export const FORTIGATE: VendorReader = {
  vendor: 'FortiGate',
  // `logid="0000000013" type="traffic"` (quotes optional, or `\"` inside a SIEM's JSON)
  tag: /\blogid=\\?"?\d{10}\\?"?[ \t]+type=\\?"?traffic\b/,
  parse: (l) => parseFortigate(l),
  reasons: FORTIGATE_REASONS,
};
