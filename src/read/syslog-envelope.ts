/**
 * The envelope around a Cisco ASA / FTD / PIX syslog message: everything up to and including
 * `%ASA-<sev>-<msgid>:`. Handled forms (alone or stacked, as relays store them):
 *
 *   %ASA-6-302013: ...                                         bare (show logging, buffer)
 *   <166>Jun 20 11:58:45 host %ASA-6-...                       RFC 3164
 *   <166>1 2018-06-20T11:58:45.123Z host app - - - %ASA-...    RFC 5424
 *   <166>Jun 20 2018 11:58:45 host : %ASA-...                  the ASA's own header (logging timestamp)
 *   Jun 20 2018 11:58:45: %ASA-...                             the same without PRI / host
 *   Apr 15 2014 09:34:34 EDT: %ASA-session-5-106100: ...       a zone after the time, a class word
 *   Wed Jun 20 11:58:46 2018;172.17.70.1; <167>Jun 20 2018 ... a relay's own prefix in front
 *
 * The device id after the header time may be a host name, an address, `host/context` or any
 * `logging device-id string`. A zone written after a time (`EDT`, `UTC`, `+02:00`, table in
 * envelope-scan.ts) is kept as the stamp's offset, so it beats --tz; an abbreviation the table
 * does not know is skipped (--tz applies). Which timestamp is the firewall's: the one right after
 * `<PRI>` (the firewall wrote the PRI, so it wrote that header too); without PRI, the last of
 * several, or a lone one in the ASA's own shape (with year, or followed by `host :` / `:`).
 * Anything else is the relay's, used only when the firewall gave none.
 *
 * parseEnvelope reads the common shapes with a hand-written scanner (envelope-scan.ts) and every
 * other line with the regexes here (parseEnvelopeSlow); both read those shapes the same.
 */
import { assemble, scanEnvelope, scanHeader, stripControl, validStamp, type Found } from './envelope-scan.js';
import { zoneAt, zoneOffset, ZONE_ABBREVIATIONS } from './syslog-zones.js';

export { stripControl } from './envelope-scan.js';

export const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;

/** A wall-clock timestamp as written; `y` missing when the format has no year. */
export interface Stamp {
  y?: number;
  /** 0-based month */
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** microseconds within the second */
  us: number;
  /** explicit UTC offset written with the time, in minutes (Z = 0, EDT = -240) */
  offsetMin?: number;
}

/**
 * Every firewall rsttui reads (the index is stored per event: append only). ASA, FTD and PIX share
 * the `%ASA-` message format read here; the others have a reader each (src/read/vendors.ts).
 */
export const VENDORS = ['ASA', 'FTD', 'PIX', 'PAN-OS', 'FortiGate', 'SRX', 'netfilter', 'pf'] as const;
export type Vendor = (typeof VENDORS)[number];
/** The vendors of the `%ASA-<sev>-<id>` message format. */
export type CiscoVendor = 'ASA' | 'FTD' | 'PIX';
/** Whether a vendor writes the `%ASA-` message format (ASA, FTD, PIX). */
export const isCisco = (v: string): v is CiscoVendor => v === 'ASA' || v === 'FTD' || v === 'PIX';

export interface Envelope {
  vendor: CiscoVendor;
  severity: number;
  msgid: number;
  /** message text after `msgid:`, control characters stripped, trimmed */
  body: string;
  host?: string;
  fw?: Stamp;
  relay?: Stamp;
  /** the class word some configurations write before the severity: `session` in `%ASA-session-5-106100` */
  msgClass?: string;
}

const MARKER = /%(ASA|FTD|PIX)-(?:([A-Za-z][A-Za-z0-9_-]*?)-)?(\d)-(\d{6}):?/;
const MARKER_LOOSE = /%(?:ASA|FTD|PIX)-/;

const MON = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const FRAC = '(?:[.,](\\d{1,9}))?';
/**
 * ISO 8601 / RFC 3339 / RFC 5424 (groups 1-8), ctime `Wed Jun 20 11:58:46 [CEST] 2018` (9-16),
 * `Jun 20 [2018] 11:58:45` (17-23; a zone after it is read by zoneAt).
 */
const STAMP = new RegExp(
  `(\\d{4})-(\\d\\d)-(\\d\\d)[T ](\\d\\d):(\\d\\d):(\\d\\d)${FRAC}(Z|[+-]\\d\\d:?\\d\\d)?` +
    `|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MON} +(\\d{1,2}) (\\d\\d):(\\d\\d):(\\d\\d)${FRAC}(?: ([A-Za-z]{2,5}|[+-]\\d\\d:?\\d\\d))? (\\d{4})` +
    `|${MON} +(\\d{1,2})(?: (\\d{4}))? (\\d\\d):(\\d\\d):(\\d\\d)${FRAC}`,
  'gi',
);

function usOf(frac: string | undefined): number {
  if (!frac) return 0;
  return Number((frac + '000000').slice(0, 6));
}

function monthOf(name: string): number {
  return MONTHS.indexOf(name.toLowerCase() as (typeof MONTHS)[number]);
}

function parseOffset(z: string): number {
  if (z === 'Z' || z === 'z') return 0;
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(z);
  if (!m) return 0;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/** All timestamps in `s`, in order. Throws on a timestamp-shaped string with impossible fields. */
function scanStamps(s: string): Found[] {
  const out: Found[] = [];
  STAMP.lastIndex = 0;
  for (let m = STAMP.exec(s); m; m = STAMP.exec(s)) {
    let stamp: Stamp;
    let asaYear = false;
    let ctime = false;
    let end = m.index + m[0].length;
    if (m[1] !== undefined) {
      stamp = { y: +m[1], mo: +m[2]! - 1, d: +m[3]!, h: +m[4]!, mi: +m[5]!, s: +m[6]!, us: usOf(m[7]) };
      if (m[8] !== undefined) stamp.offsetMin = parseOffset(m[8]);
    } else if (m[9] !== undefined) {
      ctime = true;
      stamp = { y: +m[16]!, mo: monthOf(m[9]), d: +m[10]!, h: +m[11]!, mi: +m[12]!, s: +m[13]!, us: usOf(m[14]) };
      const z = m[15];
      if (z !== undefined) {
        const off = /^[+-]/.test(z) ? parseOffset(z) : z.toUpperCase() === 'UTC' || z.toUpperCase() === 'GMT' ? 0 : ZONE_ABBREVIATIONS[z];
        if (off !== undefined) stamp.offsetMin = off;
      }
    } else {
      stamp = { mo: monthOf(m[17]!), d: +m[18]!, h: +m[20]!, mi: +m[21]!, s: +m[22]!, us: usOf(m[23]) };
      if (m[19] !== undefined) {
        stamp.y = +m[19];
        asaYear = true;
      }
      const z = zoneAt(s, end);
      if (z >= 0) {
        if (zoneOffset !== undefined) stamp.offsetMin = zoneOffset;
        end = STAMP.lastIndex = z;
      }
    }
    if (!validStamp(stamp)) throw new Error(`impossible timestamp "${s.slice(m.index, end)}"`);
    out.push({ stamp, start: m.index, end, asaYear, ctime });
  }
  return out;
}

export type EnvelopeResult = { ok: true; env: Envelope } | { ok: false; error: string } | null;

/**
 * Parse one line's envelope. `null`: no ASA/FTD/PIX marker at all (not a firewall line);
 * `{ok:false}`: a marker is there but the line cannot be read.
 */
export function parseEnvelope(line: string): EnvelopeResult {
  return scanEnvelope(line) ?? parseEnvelopeSlow(line);
}

/** parseEnvelope with regexes only: reads every form; the fast path's reference (tests, bench). */
export function parseEnvelopeSlow(line: string): EnvelopeResult {
  const m = MARKER.exec(line);
  if (!m) {
    if (MARKER_LOOSE.test(line)) return { ok: false, error: 'malformed message id (expected %ASA-<severity>-<6-digit id>:)' };
    return null;
  }
  const vendor = m[1] as CiscoVendor;
  const env: Envelope = { vendor, severity: Number(m[3]), msgid: Number(m[4]), body: stripControl(line.slice(m.index + m[0].length)).trim() };
  if (m[2] !== undefined) env.msgClass = m[2];
  return readPrefix(env, line.slice(0, m.index));
}

/** The stamps and host of the text before a message, into env (assemble's rules). */
function readPrefix(env: Envelope, prefix: string): EnvelopeResult {
  let found: Found[];
  try {
    found = scanStamps(prefix);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  // A relay's "ctime;host;" prefix: the host field names the firewall.
  const relayHost = /^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [^;]*;\s*([^;\s]+)\s*;/i.exec(prefix)?.[1];
  const pri = /<(\d{1,3})>/.exec(prefix);
  return assemble(env, prefix, found, pri ? pri.index : -1, relayHost);
}

/** The syslog header in front of another vendor's message: its stamps and host. */
export interface Header {
  /** the sender's stamp (right after `<PRI>`, or the firewall's own header) */
  fw?: Stamp;
  /** a relay's or a syslog daemon's stamp */
  relay?: Stamp;
  host?: string;
}

/**
 * The header of a line whose message starts at `at` (a vendor reader found its marker there), read
 * by the same rules as the ASA envelope: RFC 3164, RFC 5424, a relay's prefix, or nothing.
 */
export function headerBefore(line: string, at: number): { ok: true; header: Header } | { ok: false; error: string } {
  const fast = at === 0 ? {} : scanHeader(line.slice(0, at));
  return fast !== undefined ? { ok: true, header: fast } : headerBeforeSlow(line, at);
}

/** headerBefore with regexes only: every form; the fast path's reference (tests). */
export function headerBeforeSlow(line: string, at: number): { ok: true; header: Header } | { ok: false; error: string } {
  const env: Envelope = { vendor: 'ASA', severity: 0, msgid: 0, body: '' };
  const r = readPrefix(env, line.slice(0, at));
  if (r !== null && !r.ok) return r;
  const header: Header = {};
  if (env.fw) header.fw = env.fw;
  if (env.relay) header.relay = env.relay;
  if (env.host !== undefined) header.host = env.host;
  return { ok: true, header };
}

// ---------------------------------------------------------------- time zones and years

/** Converts wall-clock times of one zone to epoch milliseconds. */
export interface Zone {
  readonly name: string;
  /** `wallMs` is the wall time computed as if it were UTC (Date.UTC of its fields) */
  toEpochMs(wallMs: number): number;
}

/**
 * `UTC` / `Z` / `GMT`, a fixed offset (`+02:00`, `-0500`), or an IANA name (`Europe/Vienna`,
 * through Intl, so daylight saving time is applied per date). Throws on an unknown zone.
 */
export function makeZone(tz: string | undefined): Zone {
  const name = tz ?? 'UTC';
  if (/^(utc|gmt|z)$/i.test(name)) return { name: 'UTC', toEpochMs: (w) => w };
  const fixed = /^(?:utc|gmt)?([+-])(\d{1,2}):?(\d\d)?$/i.exec(name);
  if (fixed) {
    const min = (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0)) * (fixed[1] === '-' ? -1 : 1);
    return { name, toEpochMs: (w) => w - min * 60000 };
  }
  let dtf: Intl.DateTimeFormat;
  try {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    throw new Error(`unknown time zone "${name}" (use UTC, +HH:MM or an IANA name such as Europe/Vienna)`);
  }
  const offsetAt = (utcMs: number): number => {
    const p: Record<string, number> = {};
    for (const part of dtf.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
    return asUtc - Math.floor(utcMs / 1000) * 1000;
  };
  // Offsets change only at whole hours in practice: cache per wall-clock hour (logs are dense in time).
  const cache = new Map<number, number>();
  return {
    name,
    toEpochMs(w: number): number {
      const hour = Math.floor(w / 3600000);
      let off = cache.get(hour);
      if (off === undefined) {
        off = offsetAt(w);
        const off2 = offsetAt(w - off);
        if (off2 !== off) off = off2;
        cache.set(hour, off);
      }
      return w - off;
    },
  };
}

/**
 * Epoch seconds (with microseconds) of a stamp. `year` is used when the stamp has none; a stamp's
 * own offset beats the zone.
 */
export function stampToEpoch(t: Stamp, year: number, zone: Zone): number {
  const wall = Date.UTC(t.y ?? year, t.mo, t.d, t.h, t.mi, t.s);
  const ms = t.offsetMin !== undefined ? wall - t.offsetMin * 60000 : zone.toEpochMs(wall);
  return Math.floor(ms / 1000) + t.us / 1e6;
}
