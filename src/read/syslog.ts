/**
 * The firewall log reader: lines -> FwEvent[] + issues + counts per message id. Files are read
 * line by line through a stream (gzip is undone when the file starts 1f 8b), so large logs never
 * sit in memory as one string.
 */
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { InputIssue } from '../model.js';
import { parseAsaBody, type FwEvent } from './asa.js';
import { makeZone, parseEnvelope, stampToEpoch, type Stamp, type Zone } from './syslog-envelope.js';

export interface SyslogOptions {
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

/** At most this many bad-line issues per file are listed; the rest are summed up in one. */
const MAX_LINE_ISSUES = 100;

/** Push parser shared by the file and the in-memory paths. */
export class SyslogParser {
  readonly events: FwEvent[] = [];
  readonly issues: InputIssue[] = [];
  readonly counts = new Map<number, number>();
  nonAsaLines = 0;
  private lineNo = 0;
  private firstNonAsa = 0;
  private badLines = 0;
  private readonly zone: Zone;
  private guessedYear: number | undefined;
  private yearNeededAt = 0;
  /** year-less timestamps: the month last seen and how many times the log wrapped Dec -> Jan */
  private lastMonth = -1;
  private wraps = 0;

  constructor(
    readonly file: string,
    private readonly opts: SyslogOptions = {},
  ) {
    this.zone = makeZone(opts.tz);
  }

  private yearFor(t: Stamp): number {
    if (t.y !== undefined) return t.y;
    // A year-less log that runs over New Year goes Dec -> Jan: count the wrap so January is next year.
    if (this.lastMonth === 11 && t.mo === 0) this.wraps++;
    this.lastMonth = t.mo;
    let base = this.opts.year ?? this.opts.defaultYear;
    if (base === undefined) {
      if (this.guessedYear === undefined) {
        this.guessedYear = (this.opts.now ?? new Date()).getUTCFullYear();
        this.yearNeededAt = this.lineNo;
      }
      base = this.guessedYear;
    }
    return base + this.wraps;
  }

  line(raw: string): void {
    this.lineNo++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    const r = parseEnvelope(text);
    if (r === null) {
      if (this.nonAsaLines++ === 0) this.firstNonAsa = this.lineNo;
      return;
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
    const ev: FwEvent = {
      ts, tsSource, msgid: env.msgid, severity: env.severity, vendor: env.vendor, text: env.body,
      file: this.file, line: this.lineNo, ...fields,
    };
    if (env.host !== undefined) ev.host = env.host;
    this.events.push(ev);
    this.counts.set(env.msgid, (this.counts.get(env.msgid) ?? 0) + 1);
  }

  private bad(message: string): void {
    if (++this.badLines <= MAX_LINE_ISSUES) {
      this.issues.push({ file: this.file, line: this.lineNo, severity: 'warning', code: 'bad-syslog-line', message: `${message}; line skipped` });
    }
  }

  finish(): SyslogResult {
    if (this.badLines > MAX_LINE_ISSUES) {
      this.issues.push({
        file: this.file, severity: 'warning', code: 'bad-syslog-line',
        message: `${this.badLines - MAX_LINE_ISSUES} more unreadable firewall lines skipped (only the first ${MAX_LINE_ISSUES} are listed)`,
      });
    }
    if (this.nonAsaLines > 0) {
      this.issues.push({
        file: this.file, line: this.firstNonAsa, severity: 'warning', code: 'non-asa-lines',
        message: `${this.nonAsaLines} line(s) without an %ASA-/%FTD-/%PIX- message id skipped (first at line ${this.firstNonAsa})`,
      });
    }
    if (this.guessedYear !== undefined) {
      this.issues.push({
        file: this.file, line: this.yearNeededAt, severity: 'warning', code: 'year-guessed',
        message: `timestamps have no year and none was given or inferred from captures: assumed ${this.guessedYear} (use --year)`,
      });
    }
    return { events: this.events, issues: this.issues, counts: this.counts, nonAsaLines: this.nonAsaLines };
  }
}

/** Parse a log already in memory. */
export function parseSyslogText(text: string, file: string, opts: SyslogOptions = {}): SyslogResult {
  const p = new SyslogParser(file, opts);
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) p.line(text.slice(start));
      break;
    }
    p.line(text.slice(start, nl));
    start = nl + 1;
  }
  return p.finish();
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Read a firewall log: a file path (streamed, gzip undone transparently) or `{ text, file }`.
 * Throws only when the file cannot be opened; a read error or corrupt gzip later on becomes an
 * issue and the events read before it are kept.
 */
export async function readSyslog(source: string | { text: string; file: string }, opts: SyslogOptions = {}): Promise<SyslogResult> {
  if (typeof source !== 'string') return parseSyslogText(source.text, source.file, opts);
  const p = new SyslogParser(source, opts);
  const raw = createReadStream(source);
  const input: Readable = isGzip(source) ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input, crlfDelay: Infinity });
  // A read error or corrupt gzip may reach us as an event or through the iterator: either way, stop there.
  let err: Error | undefined;
  const stop = (e: Error): void => {
    err ??= e;
    rl.close();
  };
  raw.on('error', stop);
  if (input !== raw) input.on('error', stop);
  try {
    for await (const l of rl) p.line(l);
  } catch (e) {
    stop(e as Error);
  }
  const res = p.finish();
  if (err) res.issues.push({ file: source, severity: 'error', code: 'read-error', message: `reading stopped: ${err.message} (events before it are kept)` });
  return res;
}
