/**
 * The envelope's hand-written fast path (scanEnvelope) and what it shares with the regex path in
 * syslog-envelope.ts: time zones written after a time, host tokens, and the decision which
 * timestamp is the firewall's (assemble). scanEnvelope reads the common shapes (the ASA's own
 * header, RFC 3164, RFC 5424, a relay's `ctime;host;` prefix, each with or without PRI) with
 * indexOf / charCodeAt and gives up (undefined) on anything else, and then the regex path reads
 * the line: both give the same result for every line scanEnvelope accepts (test/read-asa-fast.test.ts).
 */
import type { CiscoVendor as Vendor, Envelope, EnvelopeResult, Stamp } from './syslog-envelope.js';
import { isDigit, isLetter, isSpace, offsetAt, zoneAt, zoneOffset } from './syslog-zones.js';

/**
 * The device id right after a header timestamp: a host name, an address, `host/context`; not the
 * `:` separator, not `-` (RFC 5424's nil host) and not a `<placeholder>`.
 */
export function hostAfter(s: string): string | undefined {
  const m = /^\s*([A-Za-z0-9_.:\-[\]/]+?)(?:\[\d+\])?\s*:?(?:\s|$)/.exec(s);
  if (!m || m[1] === undefined || m[1] === '' || m[1] === ':' || m[1] === '-') return undefined;
  return m[1].replace(/:$/, '');
}

/** A timestamp found in the text before the marker. */
export interface Found {
  stamp: Stamp;
  start: number;
  end: number;
  /** the ASA's own legacy shape `Mmm dd yyyy hh:mm:ss` */
  asaYear: boolean;
  ctime: boolean;
}

export function validStamp(t: Stamp): boolean {
  return t.mo >= 0 && t.mo < 12 && t.d >= 1 && t.d <= 31 && t.h < 24 && t.mi < 60 && t.s <= 60;
}

/**
 * Which timestamp is the firewall's, and the host; the same for both paths. `priAt`: where `<PRI>`
 * is (-1: none); `relayHost`: the host field of a relay's `ctime;host;` prefix.
 */
export function assemble(
  env: Envelope, prefix: string, found: Found[], priAt: number, relayHost: string | undefined,
  /** the fast path's reading of hostAfter after the last stamp (null: none there), so it is not read again */
  lastHost?: string | null,
): EnvelopeResult {
  let fw: Found | undefined;
  let relay: Found | undefined;
  if (priAt >= 0) {
    for (const f of found) {
      if (f.start < priAt) relay = f;
      else if (fw === undefined) fw = f;
    }
  } else if (found.length >= 2) {
    relay = found[0];
    fw = found[found.length - 1];
  } else if (found.length === 1) {
    const f = found[0]!;
    const tail = prefix.slice(f.end);
    // The ASA's own header ends "<time>:" or "<time> <host> :"; a syslog daemon writes "<time> <host> %ASA".
    if (!f.ctime && (f.asaYear || /^\s*(?:\S+\s+)?:\s*$/.test(tail) || /^:\s*$/.test(tail))) fw = f;
    else relay = f;
  }
  if (fw) env.fw = fw.stamp;
  if (relay) env.relay = relay.stamp;
  let host: string | undefined;
  if (fw) host = lastHost !== undefined && fw === found[found.length - 1] ? (lastHost ?? undefined) : hostAfter(prefix.slice(fw.end));
  if (host === undefined) host = relayHost;
  if (host === undefined && relay && !relay.ctime) host = hostAfter(prefix.slice(relay.end));
  if (host === undefined && found.length === 0) {
    const h = /(\S+)\s+:\s*$/.exec(prefix.replace(/<\d{1,3}>/, ''))?.[1];
    if (h !== undefined && !/^<.*>$/.test(h)) host = h;
  }
  if (host !== undefined) env.host = stripControl(host);
  return { ok: true, env };
}

/** Replace control characters (C0 but tab, DEL, C1, bidi controls) so log text is safe on a terminal. */
export function stripControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '');
}


// ---------------------------------------------------------------- the fast path

const MONTH_KEYS = new Map(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [key3(m, 0), i]));

function key3(s: string, i: number): number {
  return (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
}

/** 0-based month of the three letters at i as written (`Jun`), -1 if none. */
function monthAt(s: string, i: number): number {
  return i + 3 <= s.length ? MONTH_KEYS.get(key3(s, i)) ?? -1 : -1;
}

const DAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => key3(d, 0)));

/** Two digits at i, -1 if not. */
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Where the stamp read last ends, whether it had the ASA's year; the `hh:mm:ss[.f]` timeAt read. */
let at = 0;
let withYear = false;
let H = 0, MI = 0, SEC = 0, US = 0;

/** `hh:mm:ss` and an optional `.fff` / `,fff` (1-9 digits) at i into H, MI, SEC, US; false if not there. */
function timeAt(s: string, i: number): boolean {
  H = d2(s, i);
  MI = d2(s, i + 3);
  SEC = d2(s, i + 6);
  if (H < 0 || MI < 0 || SEC < 0 || s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return false;
  at = i + 8;
  US = 0;
  const c = at < s.length ? s.charCodeAt(at) : 0;
  if (c !== 46 && c !== 44) return true;
  let k = at + 1;
  let v = 0;
  while (k < s.length && isDigit(s.charCodeAt(k))) {
    if (k - at <= 6) v = v * 10 + s.charCodeAt(k) - 48;
    k++;
  }
  const n = k - at - 1;
  if (n === 0) return true;
  if (n > 9) return false;
  for (let x = n; x < 6; x++) v *= 10;
  US = v;
  at = k;
  return true;
}

/** `Mmm dd [yyyy] hh:mm:ss[.f] [zone]` at i (the regex path's third form), valid; sets at, withYear. */
function monthStampAt(s: string, i: number, mo: number): Stamp | undefined {
  let k = i + 3;
  if (s.charCodeAt(k) !== 32) return undefined;
  while (s.charCodeAt(k) === 32) k++;
  let d = s.charCodeAt(k) - 48;
  if (d < 0 || d > 9) return undefined;
  k++;
  const c = s.charCodeAt(k) - 48;
  if (c >= 0 && c <= 9) d = d * 10 + c, k++;
  if (s.charCodeAt(k) !== 32) return undefined;
  const y1 = d2(s, k + 1);
  const y2 = y1 < 0 ? -1 : d2(s, k + 3);
  let t: Stamp;
  if (y2 >= 0 && s.charCodeAt(k + 5) === 32 && timeAt(s, k + 6)) {
    t = { y: y1 * 100 + y2, mo, d, h: H, mi: MI, s: SEC, us: US };
    withYear = true;
  } else if (timeAt(s, k + 1)) {
    t = { mo, d, h: H, mi: MI, s: SEC, us: US };
    withYear = false;
  } else return undefined;
  const z = zoneAt(s, at);
  if (z >= 0) {
    if (zoneOffset !== undefined) t.offsetMin = zoneOffset;
    at = z;
  }
  return validStamp(t) ? t : undefined;
}

/** `yyyy-mm-ddThh:mm:ss[.f][Z|+hh:mm]` at i, valid; sets at. */
function isoStampAt(s: string, i: number): Stamp | undefined {
  const y1 = d2(s, i);
  const y2 = d2(s, i + 2);
  const mo = d2(s, i + 5);
  const d = d2(s, i + 8);
  const sep = s.charCodeAt(i + 10);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0 || s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45 || (sep !== 84 && sep !== 32)) return undefined;
  if (!timeAt(s, i + 11)) return undefined;
  const t: Stamp = { y: y1 * 100 + y2, mo: mo - 1, d, h: H, mi: MI, s: SEC, us: US };
  const z = at < s.length ? s.charCodeAt(at) : 0;
  if (z === 90) {
    t.offsetMin = 0;
    at++;
  } else if (z === 43 || z === 45) {
    const e = offsetAt(s, at, 2);
    if (e < 0) return undefined;
    t.offsetMin = zoneOffset;
    at = e;
  } else if (z === 122) return undefined;
  withYear = false;
  return validStamp(t) ? t : undefined;
}

/** `Www Mmm dd hh:mm:ss[.f] yyyy` at 0 (a relay's prefix; no zone), valid; sets at. */
function ctimeAt(s: string): Stamp | undefined {
  if (!DAYS.has(key3(s, 0)) || s.charCodeAt(3) !== 32) return undefined;
  const mo = monthAt(s, 4);
  if (mo < 0 || s.charCodeAt(7) !== 32) return undefined;
  let k = 8;
  while (s.charCodeAt(k) === 32) k++;
  let d = s.charCodeAt(k) - 48;
  if (d < 0 || d > 9) return undefined;
  const c = s.charCodeAt(++k) - 48;
  if (c >= 0 && c <= 9) d = d * 10 + c, k++;
  if (s.charCodeAt(k) !== 32 || !timeAt(s, k + 1) || s.charCodeAt(at) !== 32) return undefined;
  const y1 = d2(s, at + 1);
  const y2 = d2(s, at + 3);
  if (y1 < 0 || y2 < 0 || isDigit(s.charCodeAt(at + 5))) return undefined;
  at += 5;
  const t: Stamp = { y: y1 * 100 + y2, mo, d, h: H, mi: MI, s: SEC, us: US };
  return validStamp(t) ? t : undefined;
}

/**
 * The end of a token at i that the fast path may pass over (-1: give up): letters, digits, `._/-`
 * and, where `colon`, `:`, up to a space or `stop`; not able to hold an ISO timestamp (not both
 * `-` and `:`), so the regex path finds no other stamp in it.
 */
function plainToken(s: string, i: number, end: number, colon: boolean, stop = 32): number {
  let seen = 0;
  let k = i;
  for (; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c === 32 || c === stop) break;
    const t = c < 128 ? TOKEN[c]! : 0;
    if (t === 0) return -1;
    seen |= t;
  }
  // (4: a `-`, 8: a `:`)
  if (k === i || (seen & 8 && (!colon || seen & 4))) return -1;
  return k;
}

/** plainToken's characters: 1 letters, digits, `._/`; 4 `-`; 8 `:`; 0 anything else. */
const TOKEN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  TOKEN[c] = isLetter(c) || isDigit(c) || c === 46 || c === 95 || c === 47 ? 1 : c === 45 ? 4 : c === 58 ? 8 : 0;
}

/** The vendor written at i (`ASA-`, `FTD-`, `PIX-`), undefined if none. */
function vendorAt(s: string, i: number): Vendor | undefined {
  if (s.charCodeAt(i + 3) !== 45) return undefined;
  const k = key3(s, i);
  return k === 0x415341 ? 'ASA' : k === 0x465444 ? 'FTD' : k === 0x504958 ? 'PIX' : undefined;
}

/** hostAfter of a plain token (see plainToken) followed by a space or the end. */
function tokenHost(t: string): string | undefined {
  const p = t.length > 1 && t.charCodeAt(t.length - 1) === 58 ? t.slice(0, -1) : t;
  if (p === ':' || p === '-') return undefined;
  return p.charCodeAt(p.length - 1) === 58 ? p.slice(0, -1) : p;
}

/** Anything but printable ASCII: where found, the body goes through stripControl (one range is quicker to test). */
const CONTROL = /[^\x20-\x7e]/g;

/**
 * The fast path: the envelope of the common shapes, or undefined to let the regex path read the
 * line (anything unusual, also every line that is no firewall line or does not parse).
 */
export function scanEnvelope(line: string): EnvelopeResult | undefined {
  // the marker: the first `%ASA-[class-]<sev>-<id>` in the line (as the regex finds it)
  let mi = line.indexOf('%');
  let vendor: Vendor | undefined;
  let cls: string | undefined;
  let sevAt = 0;
  let msgid = -1;
  for (; mi >= 0; mi = line.indexOf('%', mi + 1)) {
    vendor = vendorAt(line, mi + 1);
    if (vendor === undefined) continue;
    sevAt = mi + 5;
    cls = undefined;
    if (isLetter(line.charCodeAt(sevAt))) {
      // a class word: the shortest [A-Za-z][A-Za-z0-9_-]* followed by -<digit>-<6 digits>
      let k = sevAt + 1;
      for (; k < line.length; k++) {
        const c = line.charCodeAt(k);
        if (c === 45 && markerAt(line, k + 1) >= 0) break;
        if (!(isLetter(c) || isDigit(c) || c === 95 || c === 45)) { k = line.length; break; }
      }
      if (k >= line.length) continue;
      cls = line.slice(sevAt, k);
      sevAt = k + 1;
    }
    msgid = markerAt(line, sevAt);
    if (msgid >= 0) break;
  }
  if (mi < 0 || vendor === undefined) return undefined;
  const body = bodyFrom(line, line.charCodeAt(sevAt + 8) === 58 ? sevAt + 9 : sevAt + 8);
  const severity = line.charCodeAt(sevAt) - 48;

  // the prefix: [Www Mmm dd hh:mm:ss yyyy;host; ][<PRI>][stamp][ host[ :]| :][ app procid msgid -] then spaces
  const prefix = line.slice(0, mi);
  let p = 0;
  let relay: Stamp | undefined;
  let relayEnd = 0;
  let relayHost: string | undefined;
  const c0 = mi > 0 ? prefix.charCodeAt(0) : 0;
  if (mi > 0 && c0 !== 60 && !isDigit(c0) && monthAt(prefix, 0) < 0) {
    relay = ctimeAt(prefix);
    if (relay === undefined || prefix.charCodeAt(at) !== 59) return undefined;
    relayEnd = at;
    const e = plainToken(prefix, at + 1, mi, true, 59);
    if (e < 0 || prefix.charCodeAt(e) !== 59) return undefined;
    relayHost = prefix.slice(relayEnd + 1, e);
    p = e + 1;
    while (p < mi && prefix.charCodeAt(p) === 32) p++;
  }
  let priAt = -1;
  if (p < mi && prefix.charCodeAt(p) === 60) {
    let k = p + 1;
    while (k < mi && isDigit(prefix.charCodeAt(k))) k++;
    if (k === p + 1 || k > p + 4 || prefix.charCodeAt(k) !== 62) return undefined;
    priAt = p;
    p = k + 1;
  }
  let fw: Stamp | undefined;
  let fwAt = p;
  let fwYear = false;
  let fwEnd = 0;
  let host: string | undefined;
  if (p < mi) {
    let rfc5424 = false;
    const mo = monthAt(prefix, p);
    if (mo >= 0) fw = monthStampAt(prefix, p, mo);
    else if (priAt >= 0 && prefix.charCodeAt(p) === 49 && prefix.charCodeAt(p + 1) === 32) {
      fw = isoStampAt(prefix, (fwAt = p + 2));
      rfc5424 = true;
    } else fw = isoStampAt(prefix, p);
    if (fw === undefined) return undefined;
    fwYear = withYear;
    fwEnd = p = at;
    const c = p < mi ? prefix.charCodeAt(p) : 0;
    if (c === 58) p++; // "<time>:"
    else if (c === 32) {
      p++;
      // device id, then " :" (the ASA's header) or the RFC 5424 fields
      const e = plainToken(prefix, p, mi, true);
      if (e < 0) return undefined;
      host = tokenHost(prefix.slice(p, e));
      p = e;
      if (rfc5424) {
        for (let n = 0; n < 3; n++) {
          if (p >= mi || prefix.charCodeAt(p) !== 32) return undefined;
          const e2 = plainToken(prefix, p + 1, mi, false);
          if (e2 < 0) return undefined;
          p = e2;
        }
        if (p + 1 >= mi || prefix.charCodeAt(p) !== 32 || prefix.charCodeAt(p + 1) !== 45) return undefined;
        p += 2;
      } else if (p + 1 < mi && prefix.charCodeAt(p) === 32 && prefix.charCodeAt(p + 1) === 58) p += 2;
    } else return undefined;
    while (p < mi && prefix.charCodeAt(p) === 32) p++;
    if (p !== mi) return undefined;
  }
  if (priAt >= 0) {
    // (assemble's choice, spelled out) the stamp after PRI is the firewall's, the one before the relay's
    if (fw === undefined || host === undefined) host = relayHost;
    let env: Envelope;
    if (fw !== undefined && host !== undefined) {
      env = relay === undefined ? { vendor, severity, msgid, body, host, fw } : { vendor, severity, msgid, body, host, fw, relay };
    } else {
      env = { vendor, severity, msgid, body };
      if (fw !== undefined) env.fw = fw;
      if (relay !== undefined) env.relay = relay;
      if (host !== undefined) env.host = host;
    }
    if (cls !== undefined) env.msgClass = cls;
    return { ok: true, env };
  }
  const env: Envelope = { vendor, severity, msgid, body };
  if (cls !== undefined) env.msgClass = cls;
  const found: Found[] = [];
  if (relay !== undefined) found.push({ stamp: relay, start: 0, end: relayEnd, asaYear: false, ctime: true });
  if (fw !== undefined) found.push({ stamp: fw, start: fwAt, end: fwEnd, asaYear: fwYear, ctime: false });
  return assemble(env, prefix, found, priAt, relayHost, host ?? null);
}

/** The body from i: control characters stripped, trimmed (as the regex path makes it). */
function bodyFrom(line: string, i: number): string {
  CONTROL.lastIndex = i;
  if (CONTROL.test(line)) return stripControl(line.slice(i)).trim();
  const n = line.length;
  while (i < n && line.charCodeAt(i) === 32) i++;
  if ((i < n && isSpace(line.charCodeAt(i))) || (n > i && isSpace(line.charCodeAt(n - 1)))) return line.slice(i).trim();
  return line.slice(i);
}

/** `<digit>-<6 digits>` at i: the 6-digit id, -1 if not there. */
function markerAt(s: string, i: number): number {
  if (i + 8 > s.length || !isDigit(s.charCodeAt(i)) || s.charCodeAt(i + 1) !== 45) return -1;
  let v = 0;
  for (let k = i + 2; k < i + 8; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** What scanHeader finds: the same fields as syslog-envelope.ts's Header. */
export interface ScannedHeader {
  fw?: Stamp;
  relay?: Stamp;
  host?: string;
}

/** A tail the ASA's own header ends with (` host :`, `:`): see assemble. */
const ASA_TAIL = /^\s*(?:\S+\s+)?:\s*$|^:\s*$/;
/** `d:d` somewhere: the regex path might find another stamp there */
const TIME_LIKE = /\d:\d/;

/**
 * The fast path of headerBefore (another vendor's message after a syslog header): `[<PRI>]` then
 * one stamp (`Mmm dd [yyyy] hh:mm:ss`, RFC 5424 `1 <ISO>`, or ISO) then the host and the sender's
 * tag. Undefined for anything else (a relay's prefix, several stamps, no stamp): the regex path
 * reads those. Gives exactly what the regex path gives (test/read-vendor-header.test.ts).
 */
export function scanHeader(prefix: string): ScannedHeader | undefined {
  const n = prefix.length;
  let p = 0;
  let pri = false;
  if (prefix.charCodeAt(0) === 60) {
    let k = 1;
    while (k < n && isDigit(prefix.charCodeAt(k))) k++;
    if (k === 1 || k > 4 || prefix.charCodeAt(k) !== 62) return undefined;
    pri = true;
    p = k + 1;
  }
  let st: Stamp | undefined;
  let monthForm = false;
  const mo = monthAt(prefix, p);
  if (mo >= 0) {
    st = monthStampAt(prefix, p, mo);
    monthForm = true;
  } else if (pri && prefix.charCodeAt(p) === 49 && prefix.charCodeAt(p + 1) === 32) st = isoStampAt(prefix, p + 2);
  else if (isDigit(prefix.charCodeAt(p))) st = isoStampAt(prefix, p);
  if (st === undefined) return undefined;
  const end = at;
  const tail = prefix.slice(end);
  if (TIME_LIKE.test(tail) || tail.includes('<')) return undefined;
  const out: ScannedHeader = {};
  if (pri || (monthForm && withYear) || ASA_TAIL.test(tail)) out.fw = st;
  else out.relay = st;
  const host = hostAfter(tail);
  if (host !== undefined) out.host = stripControl(host);
  return out;
}
