/**
 * Timestamps read by hand at a known place in a line, for the fast paths of the syslog envelope
 * and header (envelope-scan.ts): `Mmm dd [yyyy] hh:mm:ss[.f] [zone]`, ISO 8601 / RFC 5424, and a
 * relay's ctime. Each reader returns the stamp (valid, or undefined) and leaves where it ended in
 * `at` (and `withYear` for the month form), read by the caller right after the call.
 */
import type { Stamp } from './syslog-envelope.js';
import { isDigit, offsetAt, zoneAt, zoneOffset } from './syslog-zones.js';

/** A stamp's fields within their ranges (the day not checked against its month). */
export function validStamp(t: Stamp): boolean {
  return t.mo >= 0 && t.mo < 12 && t.d >= 1 && t.d <= 31 && t.h < 24 && t.mi < 60 && t.s <= 60;
}

const MONTH_KEYS = new Map(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [key3(m, 0), i]));

export function key3(s: string, i: number): number {
  return (s.charCodeAt(i) << 16) | (s.charCodeAt(i + 1) << 8) | s.charCodeAt(i + 2);
}

/** 0-based month of the three letters at i as written (`Jun`), -1 if none. */
export function monthAt(s: string, i: number): number {
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
export let at = 0;
export let withYear = false;
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
export function monthStampAt(s: string, i: number, mo: number): Stamp | undefined {
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
export function isoStampAt(s: string, i: number): Stamp | undefined {
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
export function ctimeAt(s: string): Stamp | undefined {
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

