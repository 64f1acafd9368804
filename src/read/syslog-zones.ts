/**
 * Time zones written after a syslog timestamp (`Apr 15 2014 09:34:34 EDT:`, `... 09:34:34 +02:00`),
 * read the same by the envelope's fast path (envelope-scan.ts) and its regex path
 * (syslog-envelope.ts).
 */

/**
 * UTC offsets (minutes) of zone abbreviations written after a time (`Apr 15 2014 09:34:34 EDT:`).
 * Ambiguous ones are read as: IST India (+5:30, not Irish or Israel), CST US Central (not China),
 * AST Atlantic (not Arabia), BST British Summer Time. An abbreviation not listed here is skipped
 * (the line is read as if it had no zone: --tz applies).
 */
export const ZONE_ABBREVIATIONS: Readonly<Record<string, number>> = {
  UTC: 0, UT: 0, GMT: 0, WET: 0, WEST: 60, BST: 60, IST: 330, CET: 60, CEST: 120, MET: 60, MEST: 120,
  EET: 120, EEST: 180, MSK: 180, SAST: 120, WAT: 60, EAT: 180, GST: 240, PKT: 300, ICT: 420, WIB: 420,
  HKT: 480, SGT: 480, PHT: 480, AWST: 480, JST: 540, KST: 540, ACST: 570, ACDT: 630, AEST: 600, AEDT: 660,
  NZST: 720, NZDT: 780, HST: -600, AKST: -540, AKDT: -480, PST: -480, PDT: -420, MST: -420, MDT: -360,
  CST: -360, CDT: -300, EST: -300, EDT: -240, AST: -240, ADT: -180, NST: -210, NDT: -150, BRT: -180, ART: -180,
};

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
export const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** the characters JavaScript's `\s` and String.prototype.trim treat as white space */
export const isSpace = (c: number): boolean =>
  c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;

/** Set by zoneAt: the zone's UTC offset in minutes, undefined for an abbreviation not in the table. */
export let zoneOffset: number | undefined;

/**
 * A time zone written right after a time that ends at `i`: ` EDT`, ` UTC`, ` +02:00`, ` -0500`,
 * ` UTC+2`, ` GMT-05:30`, or an unknown upper-case abbreviation directly followed by `:` (the
 * ASA's `<time> XYZ:`). Returns where the zone ends (its offset in `zoneOffset`), or -1 when no
 * zone is written there. A zone is followed by the end, white space or `:`.
 */
export function zoneAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 32) return -1;
  let j = i + 1;
  const c0 = s.charCodeAt(j);
  if (c0 === 43 || c0 === 45) return offsetAt(s, j, 2);
  let k = j;
  while (k < s.length && isLetter(s.charCodeAt(k))) k++;
  const n = k - j;
  if (n < 2 || n > 5) return -1;
  const after = s.charCodeAt(k);
  const boundary = k === s.length || after === 58 || isSpace(after);
  if (!boundary && after !== 43 && after !== 45) return -1;
  const word = s.slice(j, k);
  const up = word.toUpperCase();
  if ((up === 'UTC' || up === 'GMT') && (after === 43 || after === 45)) return offsetAt(s, k, 1);
  if (!boundary) return -1;
  // UTC / GMT in any case (as before); the other abbreviations as written, in capitals
  const off = up === 'UTC' || up === 'GMT' ? 0 : word === up ? ZONE_ABBREVIATIONS[word] : undefined;
  if (off !== undefined) {
    zoneOffset = off;
    return k;
  }
  for (let x = j; x < k; x++) if (!isUpper(s.charCodeAt(x))) return -1;
  if (after !== 58) return -1;
  zoneOffset = undefined;
  return k;
}

/** `+hh:mm`, `+hhmm` (minHour 2) or `+h`, `+hh`, `+h:mm` (minHour 1) at j; -1 if not one. */
export function offsetAt(s: string, j: number, minHour: number): number {
  const sign = s.charCodeAt(j) === 45 ? -1 : 1;
  let k = j + 1;
  let h = 0;
  let nh = 0;
  while (nh < 2 && isDigit(s.charCodeAt(k))) h = h * 10 + s.charCodeAt(k++) - 48, nh++;
  if (nh < minHour) return -1;
  let m = 0;
  if (s.charCodeAt(k) === 58 && isDigit(s.charCodeAt(k + 1)) && isDigit(s.charCodeAt(k + 2))) {
    m = (s.charCodeAt(k + 1) - 48) * 10 + s.charCodeAt(k + 2) - 48;
    k += 3;
  } else if (nh === 2 && isDigit(s.charCodeAt(k)) && isDigit(s.charCodeAt(k + 1))) {
    m = (s.charCodeAt(k) - 48) * 10 + s.charCodeAt(k + 1) - 48;
    k += 2;
  } else if (minHour === 2) return -1;
  const after = s.charCodeAt(k);
  if (!(k === s.length || after === 58 || isSpace(after)) || h > 23 || m > 59) return -1;
  zoneOffset = sign * (h * 60 + m);
  return k;
}
