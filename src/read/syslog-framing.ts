/**
 * Syslog message framing (pure, no sockets): `--syslog` URLs, RFC 6587 TCP framing, UDP
 * datagrams. The receiver (syslog-server.ts) hands the lines to the same readers as log files.
 *
 * TCP (RFC 6587) knows two framings, and senders differ (rsyslog and syslog-ng can send either,
 * firewalls mostly the second), so each frame is told apart by its first bytes, as rsyslog does:
 * - octet counting, `LEN SP MSG` (RFC 5425 style): a frame that starts with a length (no leading
 *   zero) and a space, then the message's `<PRI>`. (Requiring the `<` keeps a non-transparent line
 *   that starts with a number, e.g. `12 Jun ...`, from being read as a length.)
 * - non-transparent: the message, then LF (or NUL, which some senders use); a CR before it is dropped.
 * A line longer than the limit is cut to it (the rest of it is skipped) and reported.
 */

export type ListenProto = 'udp' | 'tcp';

export interface ListenUrl {
  /** as given */
  url: string;
  proto: ListenProto;
  /** an address or host name to bind (127.0.0.1 when the URL names none, or `localhost`) */
  host: string;
  port: number;
}

/** The syslog port when a URL names none (RFC 5426 for UDP; also what devices send TCP to by default). */
export const SYSLOG_PORT = 514;
/** Longest line handed on; longer ones are cut to it and reported. */
export const MAX_LINE = 64 * 1024;

const URL_RE = /^(udp|tcp):\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]*)(?::(\d{1,5}))?\/?$/i;

/** `udp://HOST:PORT` / `tcp://HOST:PORT` -> where to listen; throws an Error of one line for the user. */
export function parseListenUrl(url: string): ListenUrl {
  const m = URL_RE.exec(url.trim());
  if (!m) {
    throw new Error(`--syslog wants udp://HOST:PORT or tcp://HOST:PORT (e.g. udp://127.0.0.1:5514), got '${url}'`);
  }
  let host = m[2]!;
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host === '' || host.toLowerCase() === 'localhost') host = '127.0.0.1';
  const port = m[3] === undefined ? SYSLOG_PORT : Number(m[3]);
  if (port > 65535) throw new Error(`--syslog '${url}': port ${port} is out of range (0-65535)`);
  return { url, proto: m[1]!.toLowerCase() as ListenProto, host, port };
}

export interface FramingIssue {
  kind: 'too-long' | 'framing';
  message: string;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0;
const SP = 0x20;
const LT = 0x3c;

/** Line bytes [start, end) without trailing CR/LF/NUL, as text (UTF-8; bad bytes become U+FFFD). */
function text(b: Buffer, start: number, end: number): string {
  while (end > start && (b[end - 1] === CR || b[end - 1] === LF || b[end - 1] === NUL)) end--;
  return end > start ? b.toString('utf8', start, end) : '';
}

/**
 * One message per datagram (RFC 5426), the trailing NUL/CR/LF some senders add stripped; several
 * lines in one datagram are taken as lines, as a log file would hold them.
 */
export function splitDatagram(msg: Buffer, onLine: (line: string) => void, onIssue: (i: FramingIssue) => void, maxLine = MAX_LINE): void {
  let pos = 0;
  while (pos < msg.length) {
    let end = msg.indexOf(LF, pos);
    if (end < 0) end = msg.length;
    let stop = end;
    if (stop - pos > maxLine) {
      onIssue({ kind: 'too-long', message: `a ${stop - pos}-byte line cut to ${maxLine} bytes` });
      stop = pos + maxLine;
    }
    const s = text(msg, pos, stop);
    if (s !== '') onLine(s);
    pos = end + 1;
  }
}

/** RFC 6587 framing of one TCP connection: push() its bytes as they come, end() when it closes. */
export class TcpFramer {
  private carry: Buffer | null = null;
  /** bytes at the start of `carry` known to hold no LF or NUL */
  private carryClean = 0;
  /** bytes still to skip: the rest of an octet-counted frame longer than the limit */
  private skip = 0;
  /** the rest of an over-long non-transparent line is being skipped */
  private toEol = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onIssue: (i: FramingIssue) => void,
    private readonly maxLine = MAX_LINE,
  ) {}

  push(chunk: Buffer): void {
    const b = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    let clean = this.carry === null ? 0 : this.carryClean;
    this.carry = null;
    this.carryClean = 0;
    const len = b.length;
    const max = this.maxLine;
    let pos = 0;
    // the next LF and NUL at or after pos (each found once per chunk: the search stays linear)
    let lf = -2;
    let nul = -2;
    const term = (from: number): number => {
      if (lf !== -1 && lf < from) lf = b.indexOf(LF, from);
      if (nul !== -1 && nul < from) nul = b.indexOf(NUL, from);
      return lf < 0 ? nul : nul < 0 ? lf : Math.min(lf, nul);
    };
    while (pos < len) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, len - pos);
        pos += n;
        this.skip -= n;
        continue;
      }
      if (this.toEol) {
        const t = term(pos);
        if (t < 0) return; // (all skipped)
        this.toEol = false;
        pos = t + 1;
        continue;
      }
      const c = b[pos]!;
      if (c >= 0x31 && c <= 0x39) {
        // octet counting?
        let j = pos + 1;
        let n = c - 0x30;
        for (let d = 0; j < len && j - pos < 10 && (d = b[j]! - 0x30) >= 0 && d <= 9; j++) n = n * 10 + d;
        if (j === len || (b[j] === SP && j + 1 === len)) return this.keep(b, pos, 0); // (cannot tell yet)
        if (b[j] === SP && b[j + 1] === LT) {
          const start = j + 1;
          if (n > max) {
            if (len - start < max) return this.keep(b, pos, 0);
            this.cut(n);
            this.emit(b, start, start + max);
            this.skip = n - max;
            pos = start + max;
            continue;
          }
          if (len - start < n) return this.keep(b, pos, 0);
          this.emit(b, start, start + n);
          pos = start + n;
          continue;
        }
      }
      // non-transparent: up to LF or NUL
      const t = term(pos + clean);
      clean = 0;
      if (t < 0) {
        if (len - pos > max) {
          this.cut(len - pos);
          this.emit(b, pos, pos + max);
          this.toEol = true;
          return;
        }
        return this.keep(b, pos, len - pos);
      }
      if (t - pos > max) {
        this.cut(t - pos);
        this.emit(b, pos, pos + max);
      } else this.emit(b, pos, t);
      pos = t + 1;
    }
  }

  /** The connection closed: a last line without LF is still a line; half an octet-counted frame is reported. */
  end(): void {
    const b = this.carry;
    this.carry = null;
    if (b === null || b.length === 0) return;
    const m = /^([1-9]\d{0,9}) </.exec(b.toString('latin1', 0, Math.min(b.length, 12)));
    if (m) {
      this.onIssue({ kind: 'framing', message: `connection closed ${b.length - m[1]!.length - 1} bytes into a ${m[1]}-byte message; message dropped` });
      return;
    }
    this.emit(b, 0, b.length);
  }

  private keep(b: Buffer, from: number, clean: number): void {
    this.carry = Buffer.from(b.subarray(from)); // (a copy: the chunk is not kept alive by its tail)
    this.carryClean = clean;
  }

  private cut(n: number): void {
    this.onIssue({ kind: 'too-long', message: `a ${n}-byte line cut to ${this.maxLine} bytes` });
  }

  private emit(b: Buffer, start: number, end: number): void {
    const s = text(b, start, end);
    if (s !== '') this.onLine(s);
  }
}
