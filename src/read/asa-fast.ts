/**
 * The hand-written fast path for the bodies of the common messages: 302013-302016, 106015,
 * 106023, 106100, 609001/609002, 305011/305012. scanAsaBody reads a body in its documented shape
 * (the readers are in asa-scan.ts) and gives up (undefined) on anything else: another spelling or
 * case, an address that is not valid, a body that does not parse. The regex path (asa.ts) then
 * reads it, so behaviour is the regex path's: both give the same fields for every body the fast
 * path accepts (test/read-asa-fast.test.ts runs every fixture line through both).
 */
import type { AsaFields, FwEndpoint } from './asa.js';
import {
  addrSeg, at, endpointAt, flagsInto, hashesToEnd, hmsAt, hostAt, is, printable, reasonOf, sc, spaces, uint, usersAt,
} from './asa-scan.js';

/** Fields of a common message's body in its documented shape; undefined: let the regexes read it. */
export function scanAsaBody(msgid: number, body: string): AsaFields | undefined {
  let out: AsaFields | undefined;
  sc.s = body;
  switch (msgid) {
    case 302013: case 302015: out = built(); break;
    case 302014: case 302016: out = teardown(); break;
    case 106015: out = noConnection(); break;
    case 106023: out = aclDeny(); break;
    case 106100: out = aclHit(); break;
    case 609001: case 609002: out = localHost(msgid === 609001); break;
    case 305011: case 305012: out = translation(msgid === 305011); break;
    default: return undefined;
  }
  sc.s = '';
  return out;
}

/** `TCP connection ` / `UDP connection ` at i (after an optional `Probe `): the protocol; p after it. */
function connection(i: number): 'tcp' | 'udp' | undefined {
  if (at(i) === 80 && is('Probe ', i)) i += 6;
  const proto = is('TCP connection ', i) ? 'tcp' : is('UDP connection ', i) ? 'udp' : undefined;
  sc.p = i + 15;
  return proto;
}

/** 302013, 302015: `Built {inbound|outbound} TCP connection <id> for EP to EP` */
function built(): AsaFields | undefined {
  let direction: 'inbound' | 'outbound' | undefined;
  let proto: 'tcp' | 'udp' | undefined;
  // the common spellings in one look, then piece by piece
  const c = at(6);
  if (c === 105 && is('Built inbound TCP connection ', 0)) (direction = 'inbound'), (proto = 'tcp'), (sc.p = 29);
  else if (c === 111 && is('Built outbound TCP connection ', 0)) (direction = 'outbound'), (proto = 'tcp'), (sc.p = 30);
  else {
    direction = is('Built inbound ', 0) ? 'inbound' : is('Built outbound ', 0) ? 'outbound' : undefined;
    if (direction === undefined) return undefined;
    proto = connection(direction === 'inbound' ? 14 : 15);
  }
  const ends = proto === undefined ? undefined : forTo();
  if (ends === undefined || sc.p !== sc.s.length) return undefined;
  const { connId, src, dst } = ends;
  const out: AsaFields = { kind: 'built', direction, proto, connId, src, dst };
  if (sc.u1 !== undefined) out.user = sc.u1;
  return out;
}

/** `<id> for EP to EP` at sc.p (302013-302016), each end with its identity user; sc.p left after it. */
function forTo(): { connId: number; src: FwEndpoint; dst: FwEndpoint } | undefined {
  const connId = uint(sc.p);
  if (connId < 0 || !is(' for ', sc.p)) return undefined;
  const src = endpointAt(sc.p + 5);
  if (src === undefined || !is(' to ', sc.p)) return undefined;
  if (sc.u0 !== undefined) src.user = sc.u0;
  const dst = endpointAt(sc.p + 4);
  if (dst === undefined) return undefined;
  if (sc.u0 !== undefined) dst.user = sc.u0;
  return { connId, src, dst };
}

/** 302014, 302016: `Teardown TCP connection <id> for EP to EP duration h:mm:ss bytes <n>[ reason[ from IF]][ (user)]` */
function teardown(): AsaFields | undefined {
  let proto: 'tcp' | 'udp' | undefined;
  if (at(9) === 84 && is('Teardown TCP connection ', 0)) (proto = 'tcp'), (sc.p = 24);
  else proto = is('Teardown ', 0) ? connection(9) : undefined;
  const ends = proto === undefined ? undefined : forTo();
  if (ends === undefined || !is(' duration ', sc.p)) return undefined;
  const { connId, src, dst } = ends;
  const duration = hmsAt(sc.p + 10);
  const bytes = duration < 0 || !is(' bytes ', sc.p) ? -1 : uint(sc.p + 7);
  const s = sc.s;
  if (bytes < 0 || !printable(sc.p, s.length)) return undefined;
  const out: AsaFields = { kind: 'teardown', proto: proto!, connId, src, dst, duration, bytes };
  // the regex path's `(.*)` after the bytes: [reason [from IFACE]] [(user)]
  const start = spaces(sc.p);
  const end = s.length;
  if (start < end && s.charCodeAt(end - 1) !== 41 && s.charCodeAt(end - 1) !== 32) {
    // the common case, no user: `reason[ from IFACE]`
    const f = s.indexOf(' from ', start);
    const r = f < 0 ? end : f;
    out.reason = reasonOf(s.charCodeAt(r - 1) === 32 ? s.slice(start, r).trim() : s.slice(start, r));
    if (f >= 0) out.reasonFrom = s.slice(f + 6).trim();
    return out;
  }
  let rest = s.slice(sc.p).trim();
  if (rest.charCodeAt(rest.length - 1) === 41) {
    const open = rest.indexOf('(');
    if (open >= 0) {
      if (rest.lastIndexOf('(') !== open || rest.indexOf(')') !== rest.length - 1) return undefined;
      out.user = rest.slice(open + 1, -1).trim();
      rest = rest.slice(0, open).trim();
    }
  }
  if (rest !== '') {
    const f = rest.indexOf(' from ');
    out.reason = reasonOf(f < 0 ? rest : rest.slice(0, f).trim());
    if (f >= 0) out.reasonFrom = rest.slice(f + 6).trim();
  }
  return out;
}

/** `addr/port` at i (106015: no interface); p after it. */
function addrPort(i: number): FwEndpoint | undefined {
  const slash = sc.s.indexOf('/', i);
  const addr = addrSeg(i, slash);
  const port = addr === undefined ? -1 : uint(slash + 1);
  return port < 0 ? undefined : { addr: addr!, port };
}

/** 106015: `Deny TCP (no connection) from addr/port to addr/port flags <flags> on interface IF` */
function noConnection(): AsaFields | undefined {
  const src = is('Deny TCP (no connection) from ', 0) ? addrPort(30) : undefined;
  const dst = src === undefined || !is(' to ', sc.p) ? undefined : addrPort(sc.p + 4);
  const s = sc.s;
  if (dst === undefined || !is(' flags', sc.p) || !printable(sc.p, s.length)) return undefined;
  const flags = sc.p + 6;
  const on = s.indexOf(' on interface ', flags);
  if (on < 0) return undefined;
  const iface = s.slice(on + 14).trim();
  if (iface === '') return undefined;
  const out: AsaFields = { kind: 'deny-no-conn', proto: 'tcp', src, dst, iface };
  return flagsInto(out, flags, on) ? out : undefined;
}

/** 106023's `IF:addr[/port][ (user)]...` at i; p after it. */
function aclEndpoint(i: number): FwEndpoint | undefined {
  const ep = hostAt(i, true);
  if (ep === undefined || !usersAt(sc.p)) return undefined;
  if (sc.u0 !== undefined) ep.user = sc.u0;
  return ep;
}

/** 106023: `Deny <proto> src EP dst EP[ (type N, code N)] by access-group "<acl>"[ [hashes]]` */
function aclDeny(): AsaFields | undefined {
  const s = sc.s;
  const sp = is('Deny ', 0) ? s.indexOf(' ', 5) : -1;
  if (sp <= 5 || !is(' src ', sp) || !printable(5, sp)) return undefined;
  const src = aclEndpoint(sp + 5);
  const dst = src === undefined || !is(' dst ', sc.p) ? undefined : aclEndpoint(sc.p + 5);
  if (dst === undefined) return undefined;
  let icmpType = -1;
  let icmpCode = -1;
  const j = spaces(sc.p);
  if (is('(type ', j)) {
    icmpType = uint(j + 6);
    icmpCode = icmpType < 0 || !is(', code ', sc.p) ? -1 : uint(sc.p + 7);
    if (icmpCode < 0 || at(sc.p) !== 41) return undefined;
    sc.p++;
  }
  if (!is(' by access-group "', sc.p)) return undefined;
  const q = s.indexOf('"', sc.p + 18);
  if (q < 0) return undefined;
  const out: AsaFields = { kind: 'deny', proto: s.slice(5, sp).toLowerCase(), src, dst, acl: s.slice(sc.p + 18, q), aclAction: 'denied' };
  if (icmpType >= 0) {
    out.icmpType = icmpType;
    out.icmpCode = icmpCode;
  }
  return hashesToEnd(q + 1, out) ? out : undefined;
}

/** 106100's `iface/addr(port)[ (user)]...` at i; p after it. */
function slashEndpoint(i: number): FwEndpoint | undefined {
  const s = sc.s;
  const k = s.indexOf('/', i);
  if (k <= i) return undefined;
  const iface = s.slice(i, k).trim();
  const open = s.indexOf('(', k);
  const addr = addrSeg(k + 1, open);
  if (iface === '' || addr === undefined) return undefined;
  const port = uint(open + 1);
  if (port < 0 || at(sc.p) !== 41 || !usersAt(sc.p + 1)) return undefined;
  const ep: FwEndpoint = { iface, addr, port };
  if (sc.u0 !== undefined) ep.user = sc.u0;
  return ep;
}

/** 106100: `access-list <acl> {permitted|denied|est-allowed} <proto> EP -> EP hit-cnt N ({first hit|N-second interval})[ [hashes]]` */
function aclHit(): AsaFields | undefined {
  const s = sc.s;
  const sp = is('access-list ', 0) ? s.indexOf(' ', 12) : -1;
  if (sp <= 12) return undefined;
  const aclAction = is('permitted ', sp + 1) ? 'permitted' : is('denied ', sp + 1) ? 'denied'
    : is('est-allowed ', sp + 1) ? 'est-allowed' : undefined;
  if (aclAction === undefined) return undefined;
  const pa = sp + 2 + aclAction.length;
  const sp2 = s.indexOf(' ', pa);
  if (sp2 <= pa || !printable(12, sp2)) return undefined;
  const src = slashEndpoint(sp2 + 1);
  if (src === undefined) return undefined;
  let j = spaces(sc.p);
  if (!is('->', j)) return undefined;
  const dst = slashEndpoint(spaces(j + 2));
  if (dst === undefined || !is(' hit-cnt ', sc.p)) return undefined;
  const hitCount = uint(sc.p + 9);
  if (hitCount < 0 || at(sc.p) !== 32) return undefined;
  j = sc.p + 1;
  if (at(j) === 40) j++;
  let intervalSec = 0;
  if (is('first hit', j)) sc.p = j + 9;
  else {
    intervalSec = uint(j);
    if (intervalSec < 0 || !is('-second interval', sc.p)) return undefined;
    sc.p += 16;
  }
  if (at(sc.p) === 41) sc.p++;
  const proto = s.slice(pa, sp2).toLowerCase();
  const out: AsaFields = {
    kind: aclAction === 'denied' ? 'deny' : 'permit', proto, src, dst, acl: s.slice(12, sp), aclAction, hitCount, intervalSec,
  };
  if (!hashesToEnd(sc.p, out)) return undefined;
  // Cisco: for ICMP the numbers in the port places are the message type and code
  if (proto === 'icmp' || proto === 'icmp6') {
    out.icmpType = src.port!;
    out.icmpCode = dst.port!;
    delete src.port;
    delete dst.port;
  }
  return out;
}

/** 609001: `Built local-host IF:addr[ (user)]`; 609002: `Teardown local-host IF:addr[ (user)] duration h:mm:ss` */
function localHost(built: boolean): AsaFields | undefined {
  const i = built ? (is('Built local-host ', 0) ? 17 : -1) : is('Teardown local-host ', 0) ? 20 : -1;
  const src = i < 0 ? undefined : hostAt(i, false);
  if (src === undefined || !usersAt(sc.p)) return undefined;
  if (sc.u0 !== undefined) src.user = sc.u0;
  const end = sc.s.length;
  if (built) return sc.p === end ? { kind: 'local-host-built', src } : undefined;
  const duration = is(' duration ', sc.p) ? hmsAt(sc.p + 10) : -1;
  return duration >= 0 && sc.p === end ? { kind: 'local-host-teardown', src, duration } : undefined;
}

/** 305011 / 305012: `{Built|Teardown} {dynamic|static} {TCP|UDP|ICMP} translation from IF:addr/port to IF:addr/port[ duration h:mm:ss]` */
function translation(built: boolean): AsaFields | undefined {
  let i = built ? (is('Built ', 0) ? 6 : -1) : is('Teardown ', 0) ? 9 : -1;
  const natType = i < 0 ? undefined : is('dynamic ', i) ? 'dynamic' : is('static ', i) ? 'static' : undefined;
  if (natType === undefined) return undefined;
  i += natType.length + 1;
  const proto = is('TCP ', i) ? 'tcp' : is('UDP ', i) ? 'udp' : is('ICMP ', i) ? 'icmp' : undefined;
  if (proto === undefined || !is('translation from ', (i += proto.length + 1))) return undefined;
  const src = endpointAt(i + 17);
  if (src === undefined || src.mappedAddr !== undefined || !is(' to ', sc.p)) return undefined;
  if (sc.u0 !== undefined) src.user = sc.u0;
  const dst = endpointAt(sc.p + 4);
  if (dst === undefined || dst.mappedAddr !== undefined) return undefined;
  const out: AsaFields = { kind: built ? 'nat-built' : 'nat-teardown', natType, proto, src, dst };
  if (is(' duration ', sc.p)) {
    const d = hmsAt(sc.p + 10);
    if (d < 0) return undefined;
    out.duration = d;
  } else if (!built) return undefined;
  return sc.p === sc.s.length ? out : undefined;
}
