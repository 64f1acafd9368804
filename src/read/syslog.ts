/**
 * The firewall log reader: lines -> events (to a sink: the column chunks of fw-chunk.ts, or
 * objects for small in-memory logs and tests) + issues + counts per message id.
 *
 * Lines are split from raw bytes read in large blocks (log-lines.ts), each with its byte offset
 * in the file, so that a view can read a line again instead of the load keeping its text. A large
 * plain file is read in two ranges at once (log-worker.ts); a parser starts a range with the
 * year-inference state of the range before it (`YearState`) when that is known, and reports its
 * own, so the loader can check the guess at the seam.
 */
import type { InputIssue } from '../model.js';
import { parseAsaBody, type AsaFields, type FwEvent } from './asa.js';
import type { LineFacts } from './fw-chunk.js';
import { headerBefore, makeZone, parseEnvelope, stampToEpoch, type Header, type Stamp, type Zone } from './syslog-envelope.js';
import { VENDOR_READERS, type ReaderOptions, type VendorLine, type VendorReader } from './vendors.js';
import { readLogSource, splitText } from './log-lines.js';
import { unwrapOf, type LogFormat } from './log-formats.js';

export interface SyslogOptions extends ReaderOptions {
  /** year for timestamps written without one (--year) */
  year?: number;
  /** zone of timestamps written without one (--tz): 'UTC', '+02:00', IANA names; default UTC */
  tz?: string;
  /** year inferred from the captures given alongside; used when `year` is not given */
  defaultYear?: number;
  /** current time, for the last-resort year (tests) */
  now?: Date;
}

export interface SyslogResult {
  events: FwEvent[];
  issues: InputIssue[];
  /** events per message id (every event kept, 'other' included) */
  counts: Map<number, number>;
  /** non-empty lines without an ASA/FTD/PIX message id */
  nonAsaLines: number;
}

/** Where parsed events go. `raw` is the whole line (kept by sinks of logs that cannot be read again). */
export interface EventSink {
  event(f: LineFacts, fields: AsaFields, raw: string, body: string): void;
}

/** Year-less stamps: the month last seen and how many times the log wrapped Dec -> Jan so far. */
export interface YearState {
  lastMonth: number;
  wraps: number;
}

/** What a parser found, besides its events. */
export interface ParseSummary {
  issues: InputIssue[];
  counts: Map<number, number>;
  nonAsaLines: number;
  lines: number;
  /** lines that did not parse (the first MAX_LINE_ISSUES of them are in issues) */
  badLines: number;
  /** first year-less month seen (-1: none) and the state at the end */
  firstMonth: number;
  year: YearState;
  /** the year assumed for year-less stamps when none was given, and the line that needed it first */
  guessed?: { year: number; line: number };
  /** line of the first non-firewall line */
  firstNonAsa?: number;
}

/** Turns a stamp into epoch seconds with the parser's year state and zone (as its own lines get). */
export interface StampClock {
  epochOf(t: Stamp): number;
}

/**
 * A reader of whole lines from the bytes they were read in (asa-bytes.ts): for a line it takes,
 * it writes the event itself and returns the message id; -1 leaves the line to the string path.
 * It asks the clock for a time only for a line it takes (the year state moves with each call).
 */
export interface ByteLineReader {
  read(b: Uint8Array, s: number, e: number, off: number, line: number, clock: StampClock): number;
  /** A line went the string path: whatever the reader keeps from the parser's state is stale. */
  forget(): void;
}

/** The header of a line whose message says everything the header would. */
const NO_HEADER: { ok: true; header: Header } = { ok: true, header: {} };

/** At most this many bad-line issues per file are listed; the rest are summed up in one. */
export const MAX_LINE_ISSUES = 100;

/** Push parser shared by every path: one line at a time, with its byte offset. */
export class SyslogParser implements StampClock {
  readonly issues: InputIssue[] = [];
  readonly counts = new Map<number, number>();
  nonAsaLines = 0;
  private lineNo = 0;
  private firstNonAsa = 0;
  private badLines = 0;
  private readonly zone: Zone;
  private guessedYear: number | undefined;
  private yearNeededAt = 0;
  private readonly year: YearState;
  private firstMonth = -1;
  /** a whole-file parse adds the summary issues at finish; a range leaves them to the loader */
  constructor(
    readonly file: string,
    private readonly opts: SyslogOptions,
    private readonly sink: EventSink,
    start: YearState = { lastMonth: -1, wraps: 0 },
    private readonly unwrap?: (line: string) => string | null,
  ) {
    this.zone = makeZone(opts.tz);
    this.year = { ...start };
  }

  private yearFor(t: Stamp): number {
    if (t.y !== undefined) return t.y;
    if (this.firstMonth < 0) this.firstMonth = t.mo;
    // A year-less log that runs over New Year goes Dec -> Jan: count the wrap so January is next year.
    if (this.year.lastMonth === 11 && t.mo === 0) this.year.wraps++;
    this.year.lastMonth = t.mo;
    let base = this.opts.year ?? this.opts.defaultYear;
    if (base === undefined) {
      if (this.guessedYear === undefined) {
        this.guessedYear = (this.opts.now ?? new Date()).getUTCFullYear();
        this.yearNeededAt = this.lineNo;
      }
      base = this.guessedYear;
    }
    return base + this.year.wraps;
  }

  /** The reader lineBytes hands lines to (the log worker's fast path); none: lineBytes takes no line. */
  byteReader: ByteLineReader | undefined;

  epochOf(t: Stamp): number {
    return stampToEpoch(t, this.yearFor(t), this.zone);
  }

  /**
   * One line as bytes b[s, e) (without its newline) starting at byte `off` of the file, if the
   * byte reader takes it: then it counts as line() would count it. False: nothing happened, give
   * the line to line(). (Not for SIEM exports, nor while another vendor's reader is tried first.)
   */
  lineBytes(b: Uint8Array, s: number, e: number, off: number): boolean {
    const r = this.byteReader;
    if (r === undefined) return false;
    if (this.unwrap === undefined && this.last === undefined) {
      // (the line's number is its own while the reader runs: the year guess notes where it was needed)
      const id = r.read(b, s, e, off, ++this.lineNo, this);
      if (id >= 0) {
        this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
        return true;
      }
      this.lineNo--;
    }
    r.forget();
    return false;
  }

  /** One line (without its newline) starting at byte `off` of the file. */
  line(raw: string, off = 0): void {
    this.lineNo++;
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.unwrap) {
      const inner = this.unwrap(text);
      if (inner === null) {
        if (text.trim() !== '' && this.nonAsaLines++ === 0) this.firstNonAsa = this.lineNo;
        return;
      }
      text = inner;
    }
    if (text.trim() === '') return;
    // an ASA-family message, else another vendor's (the reader of the last such line first)
    let r = this.last === undefined ? parseEnvelope(text) : null;
    if (r === null) {
      if (this.vendorLine(text, off)) return;
      if (this.last !== undefined) r = parseEnvelope(text);
      if (r === null) {
        if (this.nonAsaLines++ === 0) this.firstNonAsa = this.lineNo;
        return;
      }
      this.last = undefined;
    }
    if (!r.ok) return this.bad(r.error);
    const env = r.env;
    const fields = parseAsaBody(env.msgid, env.body);
    if ('error' in fields) return this.bad(`${env.vendor}-${env.msgid}: ${fields.error}`);
    let ts = NaN;
    let tsSource: FwEvent['tsSource'] = 'none';
    const stamp = env.fw ?? env.relay;
    if (stamp) {
      ts = stampToEpoch(stamp, this.yearFor(stamp), this.zone);
      tsSource = env.fw ? 'firewall' : 'relay';
    }
    const at = text.lastIndexOf(env.body);
    this.sink.event(
      { ts, tsSource, msgid: env.msgid, severity: env.severity, vendor: env.vendor, host: env.host, line: this.lineNo, off, bodyAt: at < 0 || at > 0xfffe ? 0xffff : at },
      fields, text, env.body,
    );
    this.counts.set(env.msgid, (this.counts.get(env.msgid) ?? 0) + 1);
  }

  /** the reader that read the last other-vendor line (tried first: a log is mostly one vendor's) */
  private last: VendorReader | undefined;

  /** A line of another vendor than the ASA family: whether some reader took it (read or reported). */
  private vendorLine(text: string, off: number): boolean {
    let hit: VendorLine | { error: string } | null = null;
    let reader = this.last;
    if (reader !== undefined) hit = reader.parse(text, this.opts);
    for (let i = 0; hit === null && i < VENDOR_READERS.length; i++) {
      reader = VENDOR_READERS[i]!;
      if (reader !== this.last && reader.tag.test(text)) hit = reader.parse(text, this.opts);
    }
    if (hit === null) return false;
    if ('error' in hit) {
      this.bad(`${reader!.vendor}: ${hit.error}`);
      return true;
    }
    this.last = reader;
    // (a message that carries its own time and device needs nothing from the header before it)
    const h = hit.device !== undefined && (hit.stamp !== undefined || hit.epoch !== undefined) ? NO_HEADER : headerBefore(text, hit.at);
    if (!h.ok) {
      this.bad(`${hit.vendor}: ${h.error}`);
      return true;
    }
    let ts = NaN;
    let tsSource: FwEvent['tsSource'] = 'none';
    const stamp = hit.stamp ?? h.header.fw ?? h.header.relay;
    if (hit.epoch !== undefined) {
      ts = hit.epoch;
      tsSource = 'firewall';
    } else if (stamp) {
      ts = stampToEpoch(stamp, this.yearFor(stamp), this.zone);
      tsSource = stamp === h.header.relay ? 'relay' : 'firewall';
    }
    this.sink.event(
      { ts, tsSource, msgid: hit.msgid, severity: hit.severity, vendor: hit.vendor, host: hit.device ?? h.header.host, line: this.lineNo, off, bodyAt: hit.at > 0xfffe ? 0xffff : hit.at },
      hit.fields, text, hit.body,
    );
    this.counts.set(hit.msgid, (this.counts.get(hit.msgid) ?? 0) + 1);
    return true;
  }

  private bad(message: string): void {
    if (++this.badLines <= MAX_LINE_ISSUES) {
      this.issues.push({ file: this.file, line: this.lineNo, severity: 'warning', code: 'bad-syslog-line', message: `${message}; line skipped` });
    }
  }

  /** The parse's own findings (range parsers: lines are counted from the range's start). */
  summary(): ParseSummary {
    const s: ParseSummary = {
      issues: this.issues, counts: this.counts, nonAsaLines: this.nonAsaLines, lines: this.lineNo, badLines: this.badLines,
      firstMonth: this.firstMonth, year: { ...this.year },
    };
    if (this.guessedYear !== undefined) s.guessed = { year: this.guessedYear, line: this.yearNeededAt };
    if (this.nonAsaLines) s.firstNonAsa = this.firstNonAsa;
    return s;
  }

  /** Summary issues of a whole file (see finishIssues). */
  finish(): ParseSummary {
    const s = this.summary();
    finishIssues(this.file, s, this.unwrap !== undefined);
    return s;
  }
}

/** The issues said once per file: lines beyond the listed ones, non-firewall lines, a guessed year. */
export function finishIssues(file: string, s: ParseSummary, json: boolean): void {
  if (s.badLines > MAX_LINE_ISSUES) {
    s.issues.push({
      file, severity: 'warning', code: 'bad-syslog-line',
      message: `${s.badLines - MAX_LINE_ISSUES} more unreadable firewall lines skipped (only the first ${MAX_LINE_ISSUES} are listed)`,
    });
  }
  if (s.nonAsaLines > 0 && s.firstNonAsa !== undefined) {
    s.issues.push({
      file, line: s.firstNonAsa, severity: 'warning', code: 'non-asa-lines',
      message: json
        ? `${s.nonAsaLines} record(s) without a firewall line in event.original, log.original, message or line skipped (first at line ${s.firstNonAsa})`
        : `${s.nonAsaLines} line(s) that are no firewall message rsttui reads skipped (first at line ${s.firstNonAsa}; see the README's Inputs for the formats)`,
    });
  }
  if (s.guessed !== undefined) {
    s.issues.push({
      file, line: s.guessed.line, severity: 'warning', code: 'year-guessed',
      message: `timestamps have no year and none was given or inferred from captures: assumed ${s.guessed.year} (use --year)`,
    });
  }
}

/** Collects events as objects: small logs, tests, tools. */
export class ObjectSink implements EventSink {
  readonly events: FwEvent[] = [];
  /** `bytes`: lines were read from bytes as latin1 (log-lines.ts), so UTF-8 text is decoded again here */
  constructor(private readonly file: string, private readonly bytes = false) {}
  event(f: LineFacts, fields: AsaFields, _raw: string, body: string): void {
    const ev: FwEvent = {
      ts: f.ts, tsSource: f.tsSource, msgid: f.msgid, severity: f.severity, vendor: f.vendor, text: this.bytes ? utf8Again(body) : body,
      file: this.file, line: f.line, ...fields,
    };
    if (f.host !== undefined) ev.host = f.host;
    this.events.push(ev);
  }
}

const toResult = (events: FwEvent[], s: ParseSummary): SyslogResult => ({ events, issues: s.issues, counts: s.counts, nonAsaLines: s.nonAsaLines });

/** Parse a log already in memory, into objects. */
export function parseSyslogText(text: string, file: string, opts: SyslogOptions = {}, format: LogFormat = 'lines'): SyslogResult {
  const sink = new ObjectSink(file);
  const p = new SyslogParser(file, opts, sink, undefined, unwrapOf(format));
  splitText(text, (l, off) => p.line(l, off));
  return toResult(sink.events, p.finish());
}

/**
 * Read a firewall log into objects: a file path (gzip undone transparently) or `{ text, file }`.
 * Throws only when the file cannot be opened; a read error or corrupt gzip later on becomes an
 * issue and the events read before it are kept. (The loader reads into columns: fw-load.ts.)
 */
export async function readSyslog(source: string | { text: string; file: string }, opts: SyslogOptions = {}): Promise<SyslogResult> {
  if (typeof source !== 'string') return parseSyslogText(source.text, source.file, opts);
  const sink = new ObjectSink(source, true);
  let p: SyslogParser | undefined;
  const err = await readLogSource(source, (format) => {
    p = new SyslogParser(source, opts, sink, undefined, unwrapOf(format));
    return (l, off) => p!.line(l, off);
  });
  const res = toResult(sink.events, (p ?? new SyslogParser(source, opts, sink)).finish());
  if (err) res.issues.push(err);
  return res;
}

/** Text read as latin1 (one character a byte) decoded as the UTF-8 it is. */
export function utf8Again(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

