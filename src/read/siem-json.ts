/**
 * Firewall logs exported from a SIEM as JSON lines, one object per line, carrying the raw
 * syslog line in one of its fields:
 *
 *   {"@timestamp":..,"event":{"original":"<166>Jun 20 .. %ASA-6-302013: .."},"message":"Built .."}   Elastic / OpenSearch _source (ECS)
 *   {"_index":"..","_id":"..","_source":{"event.original":".."}}                                     a search hit, dotted keys
 *   {"timestamp":"..","source":"fw01","message":"<166>Jun 20 .. %ASA-.."}                              Graylog
 *   {"labels":{..},"line":"\u003c166\u003eJun 20 .. %ASA-..","timestamp":".."}                         Loki (logcli --output jsonl)
 *
 * Field names may be nested (`{"event":{"original":..}}`) or dotted keys (`{"event.original":..}`).
 * The fields are tried in SIEM_FIELDS order: the "original" ones hold the line as received, while
 * `message` may have been rewritten by an ingest pipeline (Filebeat's Cisco module keeps only the
 * text after the message id), so the first field whose value carries a firewall tag wins, and
 * without any tagged value the first non-empty one. Values are returned as decoded, nothing is
 * stripped: the caller strips control characters.
 *
 * Everything here is pure and total: any string in, a result out, never an exception.
 */

/** The firewall message tags the log reader understands; add other vendors here. */
export const FIREWALL_TAG = /%(?:ASA|FTD|PIX)-/;

/**
 * Fields that may hold the raw line, most trustworthy first. `full_message` is Graylog's copy of
 * the whole line as received (its syslog inputs' "store full message"); `line` is Loki's.
 */
export const SIEM_FIELDS = ['event.original', 'log.original', 'full_message', 'message', 'line'] as const;

const PATHS: readonly (readonly string[])[] = SIEM_FIELDS.map((f) => f.split('.'));

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const NON_SPACE = /\S/;

/**
 * `tag` without g / y flags, so that `test` keeps no state between calls; FIREWALL_TAG for
 * anything that is no RegExp (`lines.map(siemLine)` passes the index as `tag`).
 */
const stateless = new WeakMap<RegExp, RegExp>();
function plain(tag: unknown): RegExp {
  if (!(tag instanceof RegExp)) return FIREWALL_TAG;
  if (!tag.global && !tag.sticky) return tag;
  let re = stateless.get(tag);
  if (re === undefined) {
    re = new RegExp(tag.source, tag.flags.replace(/[gy]/g, ''));
    stateless.set(tag, re);
  }
  return re;
}

/** The value at a path, trying dotted keys before nested objects: `a.b.c`, then `a.b`→`c`, then `a`→`b.c` ... */
function get(o: Obj, path: readonly string[], from: number): string | undefined {
  for (let k = path.length; k > from; k--) {
    const key = k - from === 1 ? path[from]! : path.slice(from, k).join('.');
    const v = own(o, key);
    if (k === path.length) {
      if (typeof v === 'string') return v;
    } else if (isObj(v)) {
      const r = get(v, path, k);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** The first field carrying a tag, else the first non-empty one, else null. */
function choose(doc: Obj, tag: RegExp): string | null {
  let first: string | null = null;
  for (const p of PATHS) {
    const v = get(doc, p, 0);
    if (v === undefined || !NON_SPACE.test(v)) continue;
    if (tag.test(v)) return v;
    first ??= v;
  }
  return first;
}

/** The raw line of one parsed record: a search hit's `_source`, else the object itself; Graylog's `{"message":{..fields..}}` too. */
function pick(doc: Obj, tag: RegExp): string | null {
  const src = own(doc, '_source');
  const d = isObj(src) ? src : doc;
  const r = choose(d, tag);
  if (r !== null) return r;
  const inner = own(d, 'message');
  return isObj(inner) ? choose(inner, tag) : null;
}

/** The JSON object on a line (a leading BOM and white space allowed), or null. */
function parseObject(line: string): Obj | null {
  if (typeof line !== 'string') return null;
  let i = line.charCodeAt(0) === 0xfeff ? 1 : 0;
  // cheap rejection first: JSON objects start with `{` after optional white space
  for (;;) {
    const c = line.charCodeAt(i);
    if (c === 0x7b) break;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) i++;
    else return null;
  }
  try {
    const v: unknown = JSON.parse(i === 0 ? line : line.slice(i));
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * The raw log line inside one JSON-lines record, or null when the line is not a JSON object or
 * none of SIEM_FIELDS holds a non-empty string (a `_bulk` action line, a malformed or cut line).
 * `tag` decides which field wins when several are present (see the file comment).
 */
export function siemLine(line: string, tag: RegExp = FIREWALL_TAG): string | null {
  const doc = parseObject(line);
  if (doc === null) return null;
  try {
    return pick(doc, plain(tag));
  } catch {
    return null; // defensive only: nothing in pick throws on parsed JSON
  }
}

/**
 * Whether sample lines (the first lines of an input, white-space-only ones ignored) are a SIEM
 * JSON-lines export: the first is a JSON object, more of them are JSON objects than not (a
 * malformed line or two does not change the verdict), and at least one carries a firewall line.
 * With `lastMayBeCut` (the sample ends without a newline: the last line may be only the start of
 * a record), a last line that is no JSON object is left out, or counted as a record carrying a
 * firewall line when its text so far shows one in a raw-line field (see looksLikeCutSiemRecord).
 */
export function looksLikeSiemJson(lines: readonly string[], tag: RegExp = FIREWALL_TAG, lastMayBeCut = false): boolean {
  try {
    const re = plain(tag);
    let last = -1;
    if (lastMayBeCut) {
      for (let i = lines.length - 1; i >= 0; i--) {
        const l = lines[i];
        if (typeof l === 'string' && NON_SPACE.test(l)) {
          last = i;
          break;
        }
      }
    }
    let objects = 0;
    let others = 0;
    let tagged = false;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (typeof l !== 'string' || !NON_SPACE.test(l)) continue;
      const doc = parseObject(l);
      if (doc === null) {
        if (i === last) {
          if (cutRecord(l, re)) {
            objects++;
            tagged = true;
          }
          continue;
        }
        if (objects === 0) return false;
        others++;
        continue;
      }
      objects++;
      if (!tagged) {
        const s = pick(doc, re);
        tagged = s !== null && re.test(s);
      }
    }
    return tagged && objects > others;
  } catch {
    return false;
  }
}

/**
 * Whether a line cut short (a record longer than the bytes sniffed) is the start of a SIEM record
 * carrying a firewall line: an object whose text so far holds one of the raw-line fields as a
 * string-valued key and a firewall tag after it.
 */
export function looksLikeCutSiemRecord(piece: string, tag: RegExp = FIREWALL_TAG): boolean {
  try {
    return typeof piece === 'string' && cutRecord(piece, plain(tag));
  } catch {
    return false;
  }
}

const CUT_START = /^\uFEFF?\s*\{/;
const CUT_FIELD = /"(?:event\.original|log\.original|original|full_message|message|line)"\s*:\s*"/g;

function cutRecord(piece: string, tag: RegExp): boolean {
  if (!CUT_START.test(piece)) return false;
  CUT_FIELD.lastIndex = 0;
  const m = CUT_FIELD.exec(piece);
  return m !== null && tag.test(piece.slice(m.index));
}
