/**
 * Cisco Secure Firewall Threat Defense (FTD) connection events: 430002 (connection start) and
 * 430003 (connection end), whose bodies are `Key: value` pairs joined by `, ` ("Cisco Secure
 * Firewall Threat Defense Syslog Messages", security event syslog messages):
 *
 *   %FTD-1-430003: EventPriority: Low, DeviceUUID: ..., InstanceID: 1, FirstPacketSecond: 2020-06-23T10:25:38Z,
 *     ConnectionID: 12345, AccessControlRuleAction: Allow, SrcIP: 198.51.100.1, DstIP: 203.0.113.5, SrcPort: 50000,
 *     DstPort: 443, Protocol: tcp, IngressInterface: outside, EgressInterface: inside, ..., ConnectionDuration: 5,
 *     InitiatorPackets: 10, ResponderPackets: 12, InitiatorBytes: 1000, ResponderBytes: 20000, ...,
 *     NAT_InitiatorIP: ..., NAT_InitiatorPort: ..., NAT_ResponderIP: ..., NAT_ResponderPort: ...
 *
 * Src is the initiator (the client), Dst the responder; SrcIP/DstIP are the real addresses and the
 * NAT_ fields the translated ones. Other values may hold `, ` (a user agent's `(KHTML, like
 * Gecko)`), so the body is not split: each key read is looked for as `, Key: ` (none of the
 * values read holds `, `).
 *
 * 430003 gives no reason why the connection ended (no FIN/RST/timeout word as the ASA's 302014
 * has): a session end is read with no reason, so its class is unknown unless packets tell.
 * `AccessControlRuleAction` Block / Block with reset (and the Interactive Block forms) makes the
 * event a denial by policy, with the action as written as its reason.
 */
import { isIPv6 } from 'node:net';
import type { AsaFields, FwEndpoint } from './asa.js';
import { stripControl } from './syslog-envelope.js';

/** The keys read, in the order FTD writes them (the others are not looked at). */
const KEYS = [
  'ConnectionID', 'AccessControlRuleAction', 'SrcIP', 'DstIP', 'SrcPort', 'DstPort', 'Protocol', 'IngressInterface',
  'EgressInterface', 'ConnectionDuration', 'InitiatorBytes', 'ResponderBytes', 'NAT_InitiatorPort', 'NAT_ResponderPort',
  'NAT_InitiatorIP', 'NAT_ResponderIP',
] as const;
type Key = (typeof KEYS)[number];
const NEEDLES = KEYS.map((k) => `, ${k}: `);

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * The value of each key above (by its index in KEYS), undefined where the body has none: the text
 * after the first `, Key: ` (or `Key: ` at the start) up to the next `, ` (none of these values
 * holds one). Found with indexOf only, no character loop. Throws when the body is no pair list.
 */
export function ftdPairs(body: string): (string | undefined)[] {
  const ke = body.indexOf(': ');
  if (ke < 0 || !isLetter(body.charCodeAt(0)) || body.lastIndexOf(', ', ke) >= 0) {
    throw new Error(`no "Key: value" at "${stripControl(body.slice(0, 30))}"`);
  }
  const out: (string | undefined)[] = new Array<string | undefined>(KEYS.length);
  // (looked for after the previous key found, as FTD writes them in this order; from the start if not there)
  let from = 0;
  for (let k = 0; k < KEYS.length; k++) {
    const n = NEEDLES[k]!;
    let vs: number;
    if (ke === KEYS[k]!.length && body.startsWith(KEYS[k]!)) vs = ke + 2;
    else {
      vs = body.indexOf(n, from);
      if (vs < 0 && from > 0) vs = body.indexOf(n);
      if (vs < 0) continue;
      vs += n.length;
    }
    let ve = body.indexOf(', ', vs);
    if (ve < 0) ve = body.length;
    out[k] = body.slice(vs, ve).trim();
    from = ve;
  }
  return out;
}

const KI = Object.fromEntries(KEYS.map((k, i) => [k, i])) as Record<Key, number>;
const at = (v: (string | undefined)[], k: Key): string | undefined => v[KI[k]];

function need(v: (string | undefined)[], k: Key, msgid: number): string {
  const s = at(v, k);
  if (s === undefined || s === '') throw new Error(`${msgid} without ${k}`);
  return s;
}

/** Dotted-quad IPv4 (parts 0-255, no leading zeros) or IPv6 (node's isIPv6), lower case; throws if neither. */
function addr(s: string, k: string): string {
  let parts = 0, digits = 0, v = 0, ok = s.length >= 7 && s.length <= 15;
  for (let i = 0; ok && i <= s.length; i++) {
    const c = i === s.length ? 46 : s.charCodeAt(i);
    if (c === 46) {
      ok = digits > 0 && ++parts <= 4;
      digits = v = 0;
    } else if (c >= 48 && c <= 57) {
      ok = !(digits === 1 && v === 0);
      v = v * 10 + c - 48;
      ok &&= ++digits <= 3 && v <= 255;
    } else ok = false;
  }
  if (ok && parts === 4) return s;
  if (isIPv6(s)) return s.toLowerCase();
  throw new Error(`${k} is not an IP address: "${stripControl(s)}"`);
}

function uint(s: string, k: string, max = Number.MAX_SAFE_INTEGER): number {
  let n = s.length > 0 && s.length <= 16 ? 0 : NaN;
  for (let i = 0; i < s.length && n === n; i++) {
    const c = s.charCodeAt(i) - 48;
    n = c >= 0 && c <= 9 ? n * 10 + c : NaN;
  }
  if (!(n <= max)) throw new Error(`${k} is not a number${max === 65535 ? ' 0-65535' : ''}: "${stripControl(s)}"`);
  return n;
}

/** AccessControlRuleAction values that deny the connection (lower case). */
const DENY_ACTIONS = new Set(['block', 'block with reset', 'interactive block', 'interactive block with reset']);

/** Fields of a 430002 / 430003 body, or `{ error }` when it lacks what a connection event has. */
export function parseFtdEvent(msgid: 430002 | 430003, body: string): AsaFields | { error: string } {
  try {
    const v = ftdPairs(body);
    const proto = need(v, 'Protocol', msgid).toLowerCase();
    const src: FwEndpoint = { addr: addr(need(v, 'SrcIP', msgid), 'SrcIP') };
    const dst: FwEndpoint = { addr: addr(need(v, 'DstIP', msgid), 'DstIP') };
    const sp = at(v, 'SrcPort'), dp = at(v, 'DstPort');
    if (sp !== undefined && sp !== '') src.port = uint(sp, 'SrcPort', 65535);
    else if (proto === 'tcp' || proto === 'udp') throw new Error(`${msgid} of ${proto} without SrcPort`);
    if (dp !== undefined && dp !== '') dst.port = uint(dp, 'DstPort', 65535);
    else if (proto === 'tcp' || proto === 'udp') throw new Error(`${msgid} of ${proto} without DstPort`);
    const ii = at(v, 'IngressInterface'), ei = at(v, 'EgressInterface');
    // (the envelope has stripped the body of control characters)
    if (ii) src.iface = ii;
    if (ei) dst.iface = ei;
    const nip = at(v, 'NAT_InitiatorIP'), nrp = at(v, 'NAT_ResponderIP');
    if (nip) {
      src.mappedAddr = addr(nip, 'NAT_InitiatorIP');
      const p = at(v, 'NAT_InitiatorPort');
      if (p) src.mappedPort = uint(p, 'NAT_InitiatorPort', 65535);
    }
    if (nrp) {
      dst.mappedAddr = addr(nrp, 'NAT_ResponderIP');
      const p = at(v, 'NAT_ResponderPort');
      if (p) dst.mappedPort = uint(p, 'NAT_ResponderPort', 65535);
    }
    const action = at(v, 'AccessControlRuleAction') ?? '';
    const deny = DENY_ACTIONS.has(action.toLowerCase());
    const out: AsaFields = {
      kind: deny ? 'deny' : msgid === 430002 ? 'built' : 'teardown', proto, initiator: 'src',
      connId: uint(need(v, 'ConnectionID', msgid), 'ConnectionID'), src, dst,
    };
    if (deny) out.reason = action;
    if (msgid === 430003) {
      const d = at(v, 'ConnectionDuration'), ib = at(v, 'InitiatorBytes'), rb = at(v, 'ResponderBytes');
      if (d) out.duration = uint(d, 'ConnectionDuration');
      if (ib || rb) out.bytes = (ib ? uint(ib, 'InitiatorBytes') : 0) + (rb ? uint(rb, 'ResponderBytes') : 0);
    }
    return out;
  } catch (e) {
    return { error: (e as Error).message };
  }
}
