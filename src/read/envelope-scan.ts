/**
 * The envelope's hand-written fast path (scanEnvelope) and what it shares with the regex path in
 * syslog-envelope.ts: time zones written after a time, host tokens, and the decision which
 * timestamp is the firewall's (assemble). scanEnvelope reads the common shapes (the ASA's own
 * header, RFC 3164, RFC 5424, a relay's `ctime;host;` prefix, each with or without PRI) with
 * indexOf / charCodeAt and gives up (undefined) on anything else, and then the regex path reads
 * the line: both give the same result for every line scanEnvelope accepts (test/read-asa-fast.test.ts).
 */
import type { CiscoVendor as Vendor, Envelope, EnvelopeResult, Stamp } from './syslog-envelope.js';
import { isDigit, isLetter, isSpace } from './syslog-zones.js';
import { at, ctimeAt, isoStampAt, key3, monthAt, monthStampAt, withYear } from './stamp-scan.js';

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

export { validStamp } from './stamp-scan.js';

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
