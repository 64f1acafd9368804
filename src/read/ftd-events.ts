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
 * NAT_ fields the translated ones. A value may itself hold `, ` (a user agent's `(KHTML, like
 * Gecko)`): a pair ends only where `, ` is followed by a key and `: `.
 *
 * 430003 gives no reason why the connection ended (no FIN/RST/timeout word as the ASA's 302014
 * has): a session end is read with no reason, so its class is unknown unless packets tell.
 * `AccessControlRuleAction` Block / Block with reset (and the Interactive Block forms) makes the
 * event a denial by policy, with the action as written as its reason.
 */
import { isIP } from 'node:net';
import type { AsaFields, FwEndpoint } from './asa.js';
import { stripControl } from './syslog-envelope.js';

/** The keys read (others are skipped without being cut out). */
const KEYS = [
  'ConnectionID', 'AccessControlRuleAction', 'SrcIP', 'DstIP', 'SrcPort', 'DstPort', 'Protocol', 'IngressInterface',
  'EgressInterface', 'ConnectionDuration', 'InitiatorBytes', 'ResponderBytes', 'NAT_InitiatorIP', 'NAT_InitiatorPort',
  'NAT_ResponderIP', 'NAT_ResponderPort',
] as const;
type Key = (typeof KEYS)[number];
const KEY_INDEX = new Map<string, number>(KEYS.map((k, i) => [k, i]));

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isKeyChar = (c: number): boolean => isLetter(c) || (c >= 48 && c <= 57) || c === 95;

/**
 * The end of a key at i (the index of its `:`), or -1: a letter, then letters, digits, `_` and
 * single spaces between words (`Prefilter Policy`), then `:` and a space, a `,` or the end.
 */
function keyEnd(s: string, i: number): number {
  if (!isLetter(s.charCodeAt(i))) return -1;
  const max = Math.min(s.length, i + 48);
  for (let k = i + 1; k < max; k++) {
    const c = s.charCodeAt(k);
    if (c === 58) {
      const n = s.charCodeAt(k + 1);
      return k + 1 === s.length || n === 32 || n === 44 ? k : -1;
    }
    if (c === 32 ? !isLetter(s.charCodeAt(k + 1)) : !isKeyChar(c)) return -1;
  }
  return -1;
}

/** The values of the keys above, by their index; undefined where the body has none. Throws the reason a body is no pair list. */
export function ftdPairs(body: string): (string | undefined)[] {
  const out: (string | undefined)[] = new Array<string | undefined>(KEYS.length);
  let i = 0;
  while (i < body.length) {
    const ke = keyEnd(body, i);
    if (ke < 0) throw new Error(`no "Key: value" at "${stripControl(body.slice(i, i + 30))}"`);
    const vs = body.charCodeAt(ke + 1) === 32 ? ke + 2 : ke + 1;
    // the value runs to the next ", " that a key follows
    let ve = body.indexOf(', ', vs);
    while (ve >= 0 && keyEnd(body, ve + 2) < 0) ve = body.indexOf(', ', ve + 1);
    const end = ve < 0 ? body.length : ve;
    const k = KEY_INDEX.get(body.slice(i, ke));
    if (k !== undefined && out[k] === undefined) out[k] = body.slice(vs, end).trim();
    i = ve < 0 ? body.length : ve + 2;
  }
  return out;
}

const at = (v: (string | undefined)[], k: Key): string | undefined => v[KEY_INDEX.get(k)!];

function need(v: (string | undefined)[], k: Key, msgid: number): string {
  const s = at(v, k);
  if (s === undefined || s === '') throw new Error(`${msgid} without ${k}`);
  return s;
}

function addr(s: string, k: string): string {
  if (isIP(s) === 0) throw new Error(`${k} is not an IP address: "${stripControl(s)}"`);
  return s.toLowerCase();
}

function uint(s: string, k: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d{1,16}$/.test(s) ? Number(s) : NaN;
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
    if (ii) src.iface = stripControl(ii);
    if (ei) dst.iface = stripControl(ei);
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
    const action = stripControl(at(v, 'AccessControlRuleAction') ?? '');
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
