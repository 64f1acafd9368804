/**
 * The envelope of a Cisco ASA-family line read straight from the bytes the log worker read (the
 * byte fast path, asa-bytes.ts): the common shapes only,
 *
 *   [<PRI>]Mmm dd [yyyy] hh:mm:ss HOST : %ASA-s-nnnnnn: body     the ASA's own header
 *   [<PRI>]Mmm dd [yyyy] hh:mm:ss HOST %ASA-s-nnnnnn: body       RFC 3164
 *   [<PRI>]Mmm dd [yyyy] hh:mm:ss: %ASA-s-nnnnnn: body           no device id
 *   [<PRI>]%ASA-s-nnnnnn: body                                   bare
 *   Www Mmm dd hh:mm:ss yyyy;HOST; <any of the above>           a relay's prefix in front
 *
 * with plain device ids ([A-Za-z0-9._/-], no zone word). It takes a strict subset of what
 * scanEnvelope (envelope-scan.ts) takes and reads it as scanEnvelope does (which stamp is the
 * firewall's, the host); anything else (a zone or fraction after a time, a class word, odd
 * spacing) is refused and the line goes to the string path whole. The body's bytes are checked by
 * the body readers. Results are left in `env` (no object a line).
 */
import { ZONE_ABBREVIATIONS } from './syslog-zones.js';
import { ByteValues } from './byte-strings.js';
import { Pooled } from './fw-chunk-writer.js';

/** What the last accepted envelope said. */
export const env = {
  /** the stamp's fields (mo -1: no stamp), y -1 when written without a year */
  y: -1, mo: -1, d: 0, h: 0, mi: 0, s: 0,
  /** 0 none, 1 firewall, 2 relay (the chunk's tsSource bits) */
  tsSource: 0,
  /** the device id, null: none */
  host: null as Pooled | null,
  /** 0 ASA, 1 FTD, 2 PIX (VENDORS' order) */
  vendor: 0,
  severity: 0,
  msgid: 0,
  /** where the body starts */
  body: 0,
};

let B: Uint8Array = new Uint8Array(0);
let E = 0;
/** the byte at i, -1 at or past the line's end */
const c = (i: number): number => (i < E ? B[i]! : -1);
const digit = (i: number): number => {
  const v = c(i) - 48;
  return v >= 0 && v <= 9 ? v : -1;
};
const d2 = (i: number): number => {
  const a = digit(i);
  const b = digit(i + 1);
  return a >= 0 && b >= 0 ? a * 10 + b : -1;
};

const MONTHS = new Map(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  .map((m, i) => [(m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2), i]));

const DAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
  .map((m) => (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2)));

/** `Mmm dd` (the day after one or more spaces) at i: the month into env.mo, the day into env.d; where it ends, -1 if not there. */
function monthDayAt(i: number): number {
  const mo = MONTHS.get((c(i) << 16) | (c(i + 1) << 8) | c(i + 2));
  if (mo === undefined || c(i + 3) !== 32) return -1;
  let k = i + 3;
  while (c(k) === 32) k++;
  let d = digit(k);
  if (d < 0) return -1;
  const d1 = digit(++k);
  if (d1 >= 0) (d = d * 10 + d1), k++;
  if (d < 1 || d > 31) return -1;
  env.mo = mo;
  env.d = d;
  return k;
}

/** `hh:mm:ss` at t into env, in range (a fraction after it: the caller refuses what follows); false if not. */
function timeAt(t: number): boolean {
  const h = d2(t);
  const mi = d2(t + 3);
  const s = d2(t + 6);
  if (h < 0 || mi < 0 || s < 0 || c(t + 2) !== 58 || c(t + 5) !== 58 || h > 23 || mi > 59 || s > 60) return false;
  env.h = h;
  env.mi = mi;
  env.s = s;
  return true;
}

/**
 * A relay's `Www Mmm dd hh:mm:ss yyyy;host;` prefix at i, after its day name (stamp-scan.ts ctimeAt, no fraction)
 * into env's stamp; the host's bytes end where the returned position is, -1 if not there.
 */
function relayAt(i: number): number {
  if (c(i + 3) !== 32) return -1;
  const k = monthDayAt(i + 4);
  if (k < 0 || c(i + 7) !== 32 || c(k) !== 32 || !timeAt(k + 1) || c(k + 9) !== 32) return -1;
  const y1 = d2(k + 10);
  const y2 = y1 < 0 ? -1 : d2(k + 12);
  if (y2 < 0 || c(k + 14) !== 59) return -1;
  env.y = y1 * 100 + y2;
  return k + 15;
}

/** `Mmm dd [yyyy] hh:mm:ss` at i into env (no fraction: refused); where it ends, -1 if not there. */
function stampAt(i: number): number {
  const k = monthDayAt(i);
  if (k < 0 || c(k) !== 32) return -1;
  const y1 = d2(k + 1);
  const y2 = y1 < 0 ? -1 : d2(k + 3);
  let t = k + 1;
  env.y = -1;
  // (a year, unless the digits are the hour: `hh:` has no digit at its third place)
  if (y2 >= 0 && c(k + 5) === 32 && d2(k + 6) >= 0 && c(k + 8) === 58) {
    env.y = y1 * 100 + y2;
    t = k + 6;
  }
  return timeAt(t) ? t + 8 : -1;
}

const isLetter = (x: number): boolean => (x >= 65 && x <= 90) || (x >= 97 && x <= 122);
/** the device id's characters: letters, digits, `._/-` */
const HOST = new Uint8Array(128);
for (let x = 0; x < 128; x++) HOST[x] = isLetter(x) || (x >= 48 && x <= 57) || x === 46 || x === 95 || x === 47 || x === 45 ? 1 : 0;

/**
 * Whether a device id (followed by a space) could be read as a time zone written after the time
 * (syslog-zones.ts zoneAt), or is `-` (no host): then the string path reads the line.
 */
function zoneLike(h: string): boolean {
  if (h[0] === '-') return true;
  const word = /^[A-Za-z]*/.exec(h)![0];
  const n = word.length;
  if (n < 2 || n > 5 || (n < h.length && h[n] !== '-')) return false;
  const up = word.toUpperCase();
  if (up === 'UTC' || up === 'GMT') return true;
  return n === h.length && word === up && ZONE_ABBREVIATIONS[word] !== undefined;
}

/** device ids by their bytes (null: one the string path reads) */
const hosts = new ByteValues<Pooled | null>((h) => (zoneLike(h) ? null : new Pooled(h)));

/** The `%ASA-s-nnnnnn: ` marker at i into env; where the body starts, -1 if not that. */
function markerAt(i: number): number {
  const b = B;
  const e = E;
  if (i + 14 > e || b[i] !== 37 || b[i + 4] !== 45 || b[i + 6] !== 45 || b[i + 13] !== 58) return -1;
  const v = (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  env.vendor = v === 0x415341 ? 0 : v === 0x465444 ? 1 : v === 0x504958 ? 2 : -1;
  const sev = b[i + 5]! - 48;
  if (env.vendor < 0 || sev < 0 || sev > 9) return -1;
  let id = 0;
  for (let k = i + 7; k < i + 13; k++) {
    const x = b[k]! - 48;
    if (x < 0 || x > 9) return -1;
    id = id * 10 + x;
  }
  env.severity = sev;
  env.msgid = id;
  let p = i + 14;
  while (p < e && b[p] === 32) p++;
  return p;
}

/**
 * The envelope of the line b[s, e) (no line terminator) into env; false: not one of the shapes
 * above, the string path reads the line.
 */
export function envelopeBytes(b: Uint8Array, s: number, e: number): boolean {
  B = b;
  E = e;
  let p = samePrefix(s);
  if (p < 0) p = prefixAt(s);
  if (p < 0) return false;
  const body = markerAt(p);
  // (the string path trims the body and strips control characters from it: the body readers take
  // only printable ASCII, asa-bytes.ts)
  if (body < 0 || body >= e || c(e - 1) === 32) return false;
  env.body = body;
  return true;
}

/**
 * The prefix (all before the marker) of the last line whose prefix was read, and what it said: a
 * log repeats its prefix from line to line (the same second and device), and the same bytes read
 * the same. A `<PRI>` at the line's start is not kept: it changes with the severity from line to
 * line, and says nothing the reader keeps (prevPri: whether there was one).
 */
const prev = new Uint8Array(80);
let prevLen = 0;
let prevPri = false;
const said = { y: -1, mo: -1, d: 0, h: 0, mi: 0, s: 0, tsSource: 0, host: null as Pooled | null };

/** `<PRI>` at i (1-3 digits): where it ends, -1 if not there. */
function priAt(i: number): number {
  let k = i + 1;
  while (digit(k) >= 0) k++;
  return k === i + 1 || k > i + 4 || c(k) !== 62 ? -1 : k + 1;
}

/**
 * Whether the line at s starts with the last prefix read (after a PRI if both have one), then its
 * marker: then env has what that prefix said; where the marker is, -1 if not.
 */
function samePrefix(s: number): number {
  const n = prevLen;
  const b = B;
  if (n === 0) return -1;
  const pri = b[s] === 60;
  if (pri !== prevPri) return -1;
  if (pri) s = priAt(s);
  if (s < 0 || s + n >= E || b[s + n] !== 37) return -1;
  for (let i = 0; i < n; i++) if (b[s + i] !== prev[i]) return -1;
  env.y = said.y;
  env.mo = said.mo;
  env.d = said.d;
  env.h = said.h;
  env.mi = said.mi;
  env.s = said.s;
  env.tsSource = said.tsSource;
  env.host = said.host;
  return s + n;
}

/** The prefix from s into env: where the marker should be, -1 if the prefix is not one of the shapes. */
function prefixAt(s: number): number {
  const e = E;
  let p = s;
  env.mo = -1;
  env.host = null;
  env.tsSource = 0;
  // a relay's prefix: its stamp is the event's time when the firewall wrote none, its host the device's when no other
  let relayHost: Pooled | null = null;
  const relay = DAYS.has((c(p) << 16) | (c(p + 1) << 8) | c(p + 2));
  if (relay) {
    const h = relayAt(p);
    if (h < 0) return -1;
    p = h;
    while (p < e && B[p]! < 128 && HOST[B[p]!] === 1) p++;
    if (p === h || c(p) !== 59) return -1;
    relayHost = hosts.get(B, h, p);
    if (relayHost === null) return -1;
    p++;
    while (c(p) === 32) p++;
  }
  const pri = c(p) === 60;
  if (pri) {
    p = priAt(p);
    if (p < 0) return -1;
  }
  // (a PRI at the line's start is not part of the prefix kept)
  const from = pri && !relay ? p : s;
  if (c(p) !== 37) {
    p = stampAt(p);
    if (p < 0) return -1;
    // the firewall's stamp: after PRI or a relay's prefix, with the ASA's year, or before `:` / `host :`; else a relay's
    let fw = pri || relay || env.y >= 0;
    if (c(p) === 58) {
      fw = true;
      p++;
    } else if (c(p) === 32) {
      const h = ++p;
      while (p < e && B[p]! < 128 && HOST[B[p]!] === 1) p++;
      if (p === h || c(p) !== 32) return -1;
      env.host = hosts.get(B, h, p);
      if (env.host === null) return -1;
      if (c(p + 1) === 58) {
        fw = true;
        p += 2;
      }
    } else return -1;
    env.tsSource = fw ? 1 : 2;
    while (c(p) === 32) p++;
  } else if (relay) env.tsSource = 2;
  if (env.host === null) env.host = relayHost;
  if (c(p) === 37 && p - from <= prev.length) {
    prevLen = p - from;
    prevPri = from !== s;
    for (let i = 0; i < prevLen; i++) prev[i] = B[from + i]!;
    said.y = env.y;
    said.mo = env.mo;
    said.d = env.d;
    said.h = env.h;
    said.mi = env.mi;
    said.s = env.s;
    said.tsSource = env.tsSource;
    said.host = env.host;
  }
  return p;
}
