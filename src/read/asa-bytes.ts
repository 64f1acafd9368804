/**
 * The log worker's byte fast path for Cisco ASA / FTD / PIX lines: a line read straight from the
 * block the range reader read (log-lines.ts readRangeBytes) into the chunk's columns, with no
 * string, no field object and no address text made for it. It takes the envelope shapes of
 * envelope-bytes.ts and, of the messages the event table correlates, the common bodies in their
 * documented shape (302013-302016, 106015, 106023, 609001/609002, 305011/305012, IPv4 only, no
 * identity-user groups); any other message id is kind 'other', which needs no body. Whatever it
 * does not take exactly goes to the string path (SyslogParser.line) unchanged, so behaviour stays
 * the string path's: for every line it takes it writes the row scanAsaBody (asa-fast.ts) and
 * ChunkWriter.add would (test/read-asa-bytes.test.ts runs the fixture logs through both).
 */
import { env, envelopeBytes } from './envelope-bytes.js';
import { A_DMAP, A_DST, A_SMAP, A_SRC, newChunk, putU32, U32_NONE, S_ACL, S_DIF, S_HOST, S_IFACE, S_REASON, S_RFROM, S_SIF, STR_SLOTS, TEXT_CANON, TEXT_ESC, TEXT_PLAIN, U32_BIG, type FwChunk } from './fw-chunk.js';
import { Pooled, type ChunkWriter } from './fw-chunk-writer.js';
import type { ByteLineReader, StampClock } from './syslog.js';
import type { Stamp } from './syslog-envelope.js';
import { ifaces, names, tails } from './asa-bytes-names.js';
import { c, bytes, find, findLit, flagAt, hexAt, hms, is, ln, spaces, uint, v4 } from './asa-bytes-scan.js';
import { K_BUILT, K_DENY, K_LH_BUILT, K_LH_TEARDOWN, K_NAT_BUILT, K_NAT_TEARDOWN, K_NOCONN, K_OTHER, K_TEARDOWN } from './asa.js';

/** Message ids the string path reads a body of (asa.ts): not 'other' when the fast path refuses them. */
const KNOWN = new Set([302013, 302014, 302015, 302016, 106015, 106001, 106023, 106100, 710003, 609001, 609002, 305011, 305012, 430002, 430003]);

/** bits (fw-chunk.ts B_*): direction, protocol, ACL action */
const INBOUND = 1 << 5;
const OUTBOUND = 2 << 5;
const P_TCP = 1 << 7;
const P_UDP = 2 << 7;
const P_ICMP = 3 << 7;
const ACL_DENIED = 2 << 9;

/**
 * The row being filled: row `RW` of chunk `C` (the writer's, in place), and its strings, pooled
 * when the row is taken (ChunkWriter.take). The readers below write the columns themselves: no
 * object or string a line.
 */
let C: FwChunk = newChunk(0, 0, 0, false, false, 1);
let RW = 0;
const STR: (Pooled | undefined)[] = new Array<Pooled | undefined>(STR_SLOTS).fill(undefined);
/** the body read has a `"` or `\` (the row's TEXT_ESC): the only bodies that can are 106023's and those read as 'other' */
let ESC = false;
/** the body is exactly what its columns render (the row's TEXT_CANON): a Teardown in its plain form */
let CANON = false;

/**
 * The interface name at i up to the first `:` (endpointAt's, hostAt's) as ifaceInto takes it
 * without trimming, into string slot `slot`: where the `:` is, -1 if not that.
 */
function iface(i: number, slot: number): number {
  const cache = ifaces[slot === S_SIF ? 0 : 1]!;
  const n = cache.lastAt(ln.b, i, ln.e, 58);
  let colon: number;
  let name: Pooled | null;
  if (n > 0) {
    colon = i + n;
    name = cache.last;
  } else {
    colon = find(58, i);
    name = colon <= i ? null : cache.get(ln.b, i, colon);
  }
  if (name === null) return -1;
  STR[slot] = name;
  return colon;
}

function address(slot: number, a: number, port: number): void {
  const c = C;
  const k = RW * 4 + slot;
  c.addr[k] = a;
  let m = c.amask[RW]! | (1 << slot);
  if (port >= 0) {
    // (a port the column cannot hold is not written again as it was)
    if (port > 0xffff) ln.odd = true;
    c.port[k] = port;
    m |= 0x100 << slot;
  }
  c.amask[RW] = m;
}

/**
 * `IF:addr/port[ (mapped/port)]` at i (asa-scan.ts endpointAt without user groups) into the
 * slots; `mapped` false: a mapped part is refused. Followed by the end or a space and a word.
 */
function endpoint(i: number, slot: number, mapSlot: number, ifSlot: number, mapped: boolean): boolean {
  const colon = iface(i, ifSlot);
  const port = colon < 0 || !v4(colon + 1) || c(ln.p) !== 47 ? -1 : uint(ln.p + 1);
  if (port < 0) return false;
  const a = ln.v4;
  address(slot, a, port);
  if (c(ln.p) === 32 && c(ln.p + 1) === 40) {
    if (!mapped) return false;
    ln.odd = true;
    const mport = !v4(ln.p + 2) || c(ln.p) !== 47 ? -1 : uint(ln.p + 1);
    const m = ln.v4;
    if (mport < 0 || c(ln.p) !== 41) return false;
    ln.p++;
    // (the writer keeps a mapped side only where it differs)
    if (m !== a || mport !== port) address(mapSlot, m, mport);
  }
  const x = c(ln.p);
  const y = c(ln.p + 1);
  return x < 0 || (x === 32 && y !== 32 && y !== 40);
}

/** `IF:addr[/port]` at i (asa-scan.ts hostAt), not followed by a group; ln.p after it. */
function host(i: number, slot: number, ifSlot: number, withPort: boolean): boolean {
  const colon = iface(i, ifSlot);
  if (colon < 0 || !v4(colon + 1)) return false;
  const a = ln.v4;
  let port = -1;
  if (withPort && c(ln.p) === 47) {
    port = uint(ln.p + 1);
    if (port < 0) return false;
  }
  address(slot, a, port);
  return c(spaces(ln.p)) !== 40;
}

// ---------------------------------------------------------------- the bodies

const BUILT_IN = bytes('Built inbound ');
const BUILT_OUT = bytes('Built outbound ');
const TEARDOWN = bytes('Teardown ');
const PROBE = bytes('Probe ');
const TCP_CONN = bytes('TCP connection ');
const UDP_CONN = bytes('UDP connection ');
const FOR = bytes(' for ');
const TO = bytes(' to ');
const DURATION = bytes(' duration ');
const BYTES = bytes(' bytes ');

/** `[Probe ]{TCP|UDP} connection <id> for EP to EP` at i (302013-302016); the proto bits, 0 if not. */
function connection(i: number): number {
  if (c(i) === 80 && is(PROBE, i)) {
    i += 6;
    ln.odd = true;
  }
  const c0 = c(i);
  const proto = c0 === 84 && is(TCP_CONN, i) ? P_TCP : c0 === 85 && is(UDP_CONN, i) ? P_UDP : 0;
  const id = proto === 0 ? -1 : uint(i + 15);
  if (id < 0 || !is(FOR, ln.p) || !endpoint(ln.p + 5, A_SRC, A_SMAP, S_SIF, true) || !is(TO, ln.p) || !endpoint(ln.p + 4, A_DST, A_DMAP, S_DIF, true)) return 0;
  putU32(C, C.cid, 0, RW, id);
  return proto;
}

/** 302013, 302015 */
function built(i: number): boolean {
  // (`Built i...` or `Built o...`: one literal compared, not two)
  const c6 = c(i + 6);
  const dir = c6 === 105 && is(BUILT_IN, i) ? INBOUND : c6 === 111 && is(BUILT_OUT, i) ? OUTBOUND : 0;
  const proto = dir === 0 ? 0 : connection(i + (dir === INBOUND ? 14 : 15));
  C.kind[RW] = K_BUILT;
  C.bits[RW] = dir | proto;
  return proto !== 0 && ln.p === ln.e;
}

/** 302014, 302016 */
function teardown(i: number): boolean {
  const proto = is(TEARDOWN, i) ? connection(i + 9) : 0;
  const duration = proto === 0 || !is(DURATION, ln.p) ? -1 : hms(ln.p + 10);
  const n = duration < 0 || !is(BYTES, ln.p) ? -1 : uint(ln.p + 7);
  if (n < 0) return false;
  C.kind[RW] = K_TEARDOWN;
  C.bits[RW] = proto;
  C.duration[RW] = duration;
  putU32(C, C.nbytes, 1, RW, n);
  // (written again from the columns: one space before a reason, values the columns hold exactly)
  const plain = !ln.odd && C.cid[RW]! < U32_BIG && C.nbytes[RW]! < U32_BIG && duration < 1 << 24;
  const start = spaces(ln.p);
  if (start === ln.e) {
    CANON = plain;
    return true;
  }
  // (a `(user)` at the end: the string path)
  if (c(ln.e - 1) === 41) return false;
  const t = tails.get(ln.b, start, ln.e);
  if (t === null) return false;
  STR[S_REASON] = t[0];
  STR[S_RFROM] = t[1];
  CANON = plain && t[2] && start === ln.p + 1;
  return true;
}

const NO_CONN = bytes('Deny TCP (no connection) from ');
const FLAGS = bytes(' flags');
const ON_IF = bytes(' on interface ');

/** `addr/port` at i (106015); ln.p after it. */
function addrPort(i: number, slot: number): boolean {
  const port = !v4(i) || c(ln.p) !== 47 ? -1 : uint(ln.p + 1);
  if (port < 0) return false;
  address(slot, ln.v4, port);
  return true;
}


/** 106015 */
function noConnection(i: number): boolean {
  if (!is(NO_CONN, i) || !addrPort(i + 30, A_SRC) || !is(TO, ln.p) || !addrPort(ln.p + 4, A_DST) || !is(FLAGS, ln.p)) return false;
  const flags = ln.p + 6;
  const on = findLit(ON_IF, flags);
  const name = on < 0 ? -1 : spaces(on + 14);
  if (name < 0 || name === ln.e) return false;
  // the flag words (asa-scan.ts flagsInto): capitals, three letters each, space separated
  let f = 0;
  for (let k = spaces(flags); k < on; k = spaces(k)) {
    let w = find(32, k);
    if (w < 0 || w > on) w = on;
    const b = w - k === 3 ? flagAt(k) : -1;
    if (b < 0) return false;
    f |= b;
    k = w;
  }
  const ifName = names.get(ln.b, name, ln.e);
  C.kind[RW] = K_NOCONN;
  C.bits[RW] = P_TCP;
  C.flags[RW] = f;
  STR[S_IFACE] = ifName ?? undefined;
  return ifName !== null;
}

const DENY = bytes('Deny ');
const SRC = bytes(' src ');
const DST = bytes(' dst ');
const BY_GROUP = bytes(' by access-group "');

/** A protocol word's bits (fw-chunk.ts PROTO_INDEX of it in lower case): tcp, udp, icmp, icmp6, ipv6_icmp. */
function protoBits(i: number, e: number): number {
  let w = '';
  for (let k = i; k < e; k++) if (ln.b[k]! < 33 || ln.b[k]! > 126) return -1;
  if (e - i > 9) return 0;
  for (let k = i; k < e; k++) w += String.fromCharCode(ln.b[k]! | (ln.b[k]! >= 65 && ln.b[k]! <= 90 ? 32 : 0));
  return w === 'tcp' ? P_TCP : w === 'udp' ? P_UDP : w === 'icmp' || w === 'icmp6' || w === 'ipv6_icmp' ? P_ICMP : 0;
}


/** 106023 */
function aclDeny(i: number): boolean {
  const sp = is(DENY, i) ? find(32, i + 5) : -1;
  if (sp <= i + 5 || !is(SRC, sp) || !host(sp + 5, A_SRC, S_SIF, true) || !is(DST, ln.p) || !host(ln.p + 5, A_DST, S_DIF, true)) return false;
  // (an ICMP `(type N, code N)` was refused by host(): a group after the endpoint)
  if (!is(BY_GROUP, ln.p)) return false;
  const q = find(34, ln.p + 18);
  if (q < 0) return false;
  const j = spaces(q + 1);
  if (j !== ln.e) {
    const a = c(j) === 91 ? hexAt(j + 1) : -1;
    const b = a < 0 || c(a) !== 44 ? -1 : hexAt(spaces(a + 1));
    if (b < 0 || b + 1 !== ln.e || c(b) !== 93) return false;
  }
  const proto = protoBits(i + 5, sp);
  const acl = names.get(ln.b, ln.p + 18, q);
  // (the ACL's name is in quotes)
  ESC = true;
  C.kind[RW] = K_DENY;
  C.bits[RW] = proto | ACL_DENIED;
  STR[S_ACL] = acl ?? undefined;
  return proto >= 0 && acl !== null;
}

const LH_BUILT = bytes('Built local-host ');
const LH_TEARDOWN = bytes('Teardown local-host ');

/** 609001, 609002 */
function localHost(i: number, isBuilt: boolean): boolean {
  const lit = isBuilt ? LH_BUILT : LH_TEARDOWN;
  if (!is(lit, i) || !host(i + lit.length, A_SRC, S_SIF, false)) return false;
  C.kind[RW] = isBuilt ? K_LH_BUILT : K_LH_TEARDOWN;
  if (isBuilt) return ln.p === ln.e;
  const d = is(DURATION, ln.p) ? hms(ln.p + 10) : -1;
  C.duration[RW] = d;
  return d >= 0 && ln.p === ln.e;
}

const BUILT_ = bytes('Built ');
const DYNAMIC = bytes('dynamic ');
const STATIC = bytes('static ');
const TCP_ = bytes('TCP ');
const UDP_ = bytes('UDP ');
const ICMP_ = bytes('ICMP ');
const XLATE_FROM = bytes('translation from ');

/** 305011, 305012 */
function translation(i: number, isBuilt: boolean): boolean {
  i = isBuilt ? (is(BUILT_, i) ? i + 6 : -1) : is(TEARDOWN, i) ? i + 9 : -1;
  i = i < 0 ? -1 : is(DYNAMIC, i) ? i + 8 : is(STATIC, i) ? i + 7 : -1;
  const proto = i < 0 ? 0 : is(TCP_, i) ? P_TCP : is(UDP_, i) ? P_UDP : is(ICMP_, i) ? P_ICMP : 0;
  if (proto === 0) return false;
  i += proto === P_ICMP ? 5 : 4;
  if (!is(XLATE_FROM, i) || !endpoint(i + 17, A_SRC, A_SMAP, S_SIF, false) || !is(TO, ln.p) || !endpoint(ln.p + 4, A_DST, A_DMAP, S_DIF, false)) return false;
  C.kind[RW] = isBuilt ? K_NAT_BUILT : K_NAT_TEARDOWN;
  C.bits[RW] = proto;
  if (is(DURATION, ln.p)) {
    const d = hms(ln.p + 10);
    C.duration[RW] = d;
    if (d < 0) return false;
  } else if (!isBuilt) return false;
  return ln.p === ln.e;
}

/** The body at i of message `msgid` into R; false: the string path reads the line. */
function body(msgid: number, i: number): boolean {
  switch (msgid) {
    case 302013: case 302015: return built(i);
    case 302014: case 302016: return teardown(i);
    case 106015: return noConnection(i);
    case 106023: return aclDeny(i);
    case 609001: case 609002: return localHost(i, msgid === 609001);
    case 305011: case 305012: return translation(i, msgid === 305011);
    default:
      C.kind[RW] = K_OTHER;
      return !KNOWN.has(msgid) && printableAt(i);
  }
}

/** Whether the line from i on is printable ASCII (a body no reader above reads). */
function printableAt(i: number): boolean {
  const b = ln.b;
  const e = ln.e;
  let esc = false;
  for (let k = i; k < e; k++) {
    const x = b[k]!;
    if (x < 32 || x > 126) return false;
    if (x === 34 || x === 92) esc = true;
  }
  ESC = esc;
  return true;
}

// ---------------------------------------------------------------- the reader

/** Reads ASA-family lines from bytes into a writer's chunks (one per log worker). */
export class AsaBytes implements ByteLineReader {
  /** the last stamp's fields and time (valid while no line went the string path since) */
  private readonly last = new Int32Array([-2, 0, 0, 0, 0, 0]);
  private lastTs = NaN;
  constructor(private readonly writer: ChunkWriter) {}

  forget(): void {
    this.last[0] = -2;
  }

  read(b: Uint8Array, s: number, e: number, off: number, line: number, clock: StampClock): number {
    if (e > s && b[e - 1] === 13) e--;
    if (!envelopeBytes(b, s, e)) return -1;
    ln.b = b;
    ln.e = e;
    // the row: every column written (those a body does not name as none), the strings when taken
    const c = (C = this.writer.next(off));
    const r = (RW = c.n);
    c.cid[r] = U32_NONE;
    c.nbytes[r] = U32_NONE;
    c.duration[r] = NaN;
    c.flags[r] = 0;
    c.amask[r] = 0;
    c.bits[r] = 0;
    for (let k = 0; k < STR_SLOTS; k++) STR[k] = undefined;
    ESC = false;
    CANON = false;
    ln.odd = false;
    const msgid = env.msgid;
    if (!body(msgid, env.body)) return -1;
    let ts = NaN;
    if (env.tsSource !== 0) {
      const l = this.last;
      // (the same second as the line before: the year state cannot have moved, the time is the same)
      if (l[0] === env.y && l[1] === env.mo && l[2] === env.d && l[3] === env.h && l[4] === env.mi && l[5] === env.s) ts = this.lastTs;
      else {
        const t: Stamp = { mo: env.mo, d: env.d, h: env.h, mi: env.mi, s: env.s, us: 0 };
        if (env.y >= 0) t.y = env.y;
        l[0] = env.y;
        l[1] = env.mo;
        l[2] = env.d;
        l[3] = env.h;
        l[4] = env.mi;
        l[5] = env.s;
        ts = this.lastTs = clock.epochOf(t);
      }
    }
    c.ts[r] = ts;
    c.msgid[r] = msgid;
    c.line[r] = line;
    const at = env.body - s;
    c.bodyAt[r] = at > 0xfffe ? 0xffff : at;
    c.vendor[r] = env.vendor;
    c.bits[r] = c.bits[r]! | (env.severity & 7) | (env.tsSource << 3) | (ESC ? TEXT_ESC : CANON ? TEXT_CANON : TEXT_PLAIN);
    if (env.host !== null) STR[S_HOST] = env.host;
    this.writer.take(STR);
    return msgid;
  }
}
