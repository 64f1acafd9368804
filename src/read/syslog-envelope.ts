/**
 * The envelope around a Cisco ASA / FTD / PIX syslog message: everything up to and including
 * `%ASA-<sev>-<msgid>:`. Handled forms (alone or stacked, as relays store them):
 *
 *   %ASA-6-302013: ...                                         bare (show logging, buffer)
 *   <166>Jun 20 11:58:45 host %ASA-6-...                       RFC 3164
 *   <166>1 2018-06-20T11:58:45.123Z host app - - - %ASA-...    RFC 5424
 *   <166>Jun 20 2018 11:58:45 host : %ASA-...                  the ASA's own header (logging timestamp)
 *   Jun 20 2018 11:58:45: %ASA-...                             the same without PRI / host
 *   Wed Jun 20 11:58:46 2018;172.17.70.1; <167>Jun 20 2018 ... a relay's own prefix in front
 *
 * Which timestamp is the firewall's: the one right after `<PRI>` (the firewall wrote the PRI, so
 * it wrote that header too); without PRI, the last of several, or a lone one in the ASA's own
 * shape (with year, or followed by `host :` / `:`). Anything else is the relay's, used only when
 * the firewall gave none.
 */

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
  /** explicit UTC offset written with the time, in minutes (Z = 0) */
  offsetMin?: number;
}

export const VENDORS = ['ASA', 'FTD', 'PIX'] as const;
export type Vendor = (typeof VENDORS)[number];

export interface Envelope {
  vendor: Vendor;
  severity: number;
  msgid: number;
  /** message text after `msgid:`, control characters stripped, trimmed */
  body: string;
  host?: string;
  fw?: Stamp;
  relay?: Stamp;
}

/** Replace control characters (C0 but tab, DEL, C1) so log text is safe on a terminal. */
export function stripControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '');
}

const MARKER = /%(ASA|FTD|PIX)-(\d)-(\d{6}):?/;
const MARKER_LOOSE = /%(?:ASA|FTD|PIX)-/;

const MON = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const FRAC = '(?:[.,](\\d{1,9}))?';
/** ISO 8601 / RFC 3339 / RFC 5424 (groups 1-8), ctime `Wed Jun 20 11:58:46 2018` (9-15), `Jun 20 [2018] 11:58:45` (16-23). */
const STAMP = new RegExp(
  `(\\d{4})-(\\d\\d)-(\\d\\d)[T ](\\d\\d):(\\d\\d):(\\d\\d)${FRAC}(Z|[+-]\\d\\d:?\\d\\d)?` +
    `|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MON} +(\\d{1,2}) (\\d\\d):(\\d\\d):(\\d\\d)${FRAC} (\\d{4})` +
    `|${MON} +(\\d{1,2})(?: (\\d{4}))? (\\d\\d):(\\d\\d):(\\d\\d)${FRAC}(?: (UTC|GMT))?`,
  'gi',
);

interface Found {
  stamp: Stamp;
  start: number;
  end: number;
  /** the ASA's own legacy shape `Mmm dd yyyy hh:mm:ss` */
  asaYear: boolean;
  ctime: boolean;
}

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

function validStamp(t: Stamp): boolean {
  return t.mo >= 0 && t.mo < 12 && t.d >= 1 && t.d <= 31 && t.h < 24 && t.mi < 60 && t.s <= 60;
}

/** All timestamps in `s`, in order. Throws on a timestamp-shaped string with impossible fields. */
function scanStamps(s: string): Found[] {
  const out: Found[] = [];
  STAMP.lastIndex = 0;
  for (let m = STAMP.exec(s); m; m = STAMP.exec(s)) {
    let stamp: Stamp;
    let asaYear = false;
    let ctime = false;
    if (m[1] !== undefined) {
      stamp = { y: +m[1], mo: +m[2]! - 1, d: +m[3]!, h: +m[4]!, mi: +m[5]!, s: +m[6]!, us: usOf(m[7]) };
      if (m[8] !== undefined) stamp.offsetMin = parseOffset(m[8]);
    } else if (m[9] !== undefined) {
      ctime = true;
      stamp = { y: +m[15]!, mo: monthOf(m[9]), d: +m[10]!, h: +m[11]!, mi: +m[12]!, s: +m[13]!, us: usOf(m[14]) };
    } else {
      stamp = { mo: monthOf(m[16]!), d: +m[17]!, h: +m[19]!, mi: +m[20]!, s: +m[21]!, us: usOf(m[22]) };
      if (m[18] !== undefined) {
        stamp.y = +m[18];
        asaYear = true;
      }
      if (m[23] !== undefined) stamp.offsetMin = 0;
    }
    if (!validStamp(stamp)) throw new Error(`impossible timestamp "${m[0]}"`);
    out.push({ stamp, start: m.index, end: m.index + m[0].length, asaYear, ctime });
  }
  return out;
}

/** A host name / address token: the first word after a header timestamp, unless it is the `:` separator. */
function hostAfter(s: string): string | undefined {
  const m = /^\s*([A-Za-z0-9_.:\-[\]]+?)(?:\[\d+\])?\s*:?(?:\s|$)/.exec(s);
  if (!m || m[1] === undefined || m[1] === '' || m[1] === ':' || m[1] === '-') return undefined;
  return m[1].replace(/:$/, '');
}

export type EnvelopeResult = { ok: true; env: Envelope } | { ok: false; error: string } | null;

/**
 * Parse one line's envelope. `null`: no ASA/FTD/PIX marker at all (not a firewall line);
 * `{ok:false}`: a marker is there but the line cannot be read.
 */
export function parseEnvelope(line: string): EnvelopeResult {
  const m = MARKER.exec(line);
  if (!m) {
    if (MARKER_LOOSE.test(line)) return { ok: false, error: 'malformed message id (expected %ASA-<severity>-<6-digit id>:)' };
    return null;
  }
  const vendor = m[1] as Vendor;
  const env: Envelope = { vendor, severity: Number(m[2]), msgid: Number(m[3]), body: stripControl(line.slice(m.index + m[0].length)).trim() };
  const prefix = line.slice(0, m.index);
  let found: Found[];
  try {
    found = scanStamps(prefix);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  // A relay's "ctime;host;" prefix: the host field names the firewall.
  const relayHost = /^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [^;]*;\s*([^;\s]+)\s*;/i.exec(prefix)?.[1];
  const pri = /<(\d{1,3})>/.exec(prefix);
  let fw: Found | undefined;
  let relay: Found | undefined;
  if (pri) {
    for (const f of found) {
      if (f.start < pri.index) relay = f;
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
  if (fw) host = hostAfter(prefix.slice(fw.end));
  if (host === undefined) host = relayHost;
  if (host === undefined && relay && !relay.ctime) host = hostAfter(prefix.slice(relay.end));
  if (host === undefined && found.length === 0) host = /(\S+)\s+:\s*$/.exec(prefix.replace(/<\d{1,3}>/, ''))?.[1];
  if (host !== undefined) env.host = stripControl(host);
  return { ok: true, env };
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
