/**
 * Shared types of the analysis core. Nothing here (and nothing under src/ but src/ui/)
 * may import Ink or React: the headless subcommands and the exports run without a terminal.
 */

/** TCP flag bits, in the order of the header byte (tshark's `tcp.flags` & 0xff). */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

/** Flag letters in the order rsttui prints them (`FSRPAUEC`, e.g. `FA`). */
export function flagLetters(flags: number): string {
  let s = '';
  if (flags & FIN) s += 'F';
  if (flags & SYN) s += 'S';
  if (flags & RST) s += 'R';
  if (flags & PSH) s += 'P';
  if (flags & ACK) s += 'A';
  if (flags & URG) s += 'U';
  if (flags & ECE) s += 'E';
  if (flags & CWR) s += 'C';
  return s;
}

/** Bits of the per-packet `mark` column. */
export const MARK_RESP = 0x01; // sent by the responder (else by the originator)
export const MARK_CUT = 0x02; // payload cut short by snaplen (headers complete)
export const MARK_TLS = 0x04; // payload starts with a plausible TLS record header
export const MARK_TLS_ALERT = 0x08; // payload carries an alert record (type 21, or a TLS 1.3 alert-sized app-data record)
export const MARK_TLS_UNKNOWN = 0x10; // payload too short in the capture to see the record headers
export const MARK_SYNTH = 0x20; // packet came from a text listing, not a binary capture (no bytes to read back)

/** Link-layer header types (LINKTYPE_* of pcap / pcapng) rsttui decodes. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  LINUX_SLL2: 276,
} as const;

export type Severity = 'error' | 'warning';

/** A problem found in an input. Never fatal to the rest of that input unless `fatal`. */
export interface InputIssue {
  file: string;
  /** byte offset in the (decompressed) file, for binary inputs */
  offset?: number;
  /** 1-based line number, for text inputs */
  line?: number;
  /** 1-based record number (as tshark counts), where the issue belongs to one record */
  frame?: number;
  severity: Severity;
  /** stable machine-readable code, e.g. `truncated-record`, `bad-magic` */
  code: string;
  message: string;
  /** the input could not be used at all (exit 1) */
  fatal?: boolean;
}

/** Format an issue as `file:offset N: message` / `file:LINE: message` for stderr. */
export function formatIssue(i: InputIssue): string {
  let where = i.file;
  if (i.line !== undefined) where += `:${i.line}`;
  else if (i.offset !== undefined) where += `: offset ${i.offset}`;
  if (i.frame !== undefined) where += ` (record ${i.frame})`;
  return `${i.severity}: ${where}: ${i.message}`;
}

/**
 * What a capture reader hands on for every record. Readers are push parsers: they are fed
 * chunks and call `record` for each complete record. `data` is only valid during the call.
 */
export interface RecordSink {
  record(
    data: Uint8Array,
    off: number,
    caplen: number,
    origlen: number,
    /** whole seconds since the epoch */
    tsSec: number,
    /** nanoseconds within the second */
    tsNsec: number,
    linktype: number,
    /** interface index within the file (0 for classic pcap) */
    iface: number,
    /** 1-based record number within the file, counting every record as tshark does */
    frame: number,
    /** byte offset of the record header within the (decompressed) file */
    fileOffset: number,
  ): void;
  issue(issue: InputIssue): void;
}

/** A capture reader: fed chunks in file order, then `end()`. */
export interface CaptureReader {
  push(chunk: Uint8Array): void;
  end(): void;
  /** records seen so far */
  readonly frames: number;
}

/** Kinds of input the sniffer recognizes by content. */
export type InputKind = 'pcap' | 'pcapng' | 'gzip' | 'syslog' | 'text-capture' | 'unknown';

/** Teardown classes, exactly one per connection (see src/analysis/glossary.ts for meanings). */
export const TEARDOWNS = [
  'graceful', 'fin-then-rst', 'abort', 'rejected', 'unanswered', 'half-closed', 'open',
  // known from a firewall's log (issue 15): it removed the connection itself, or never built it
  'timeout', 'firewall-reset', 'denied',
] as const;
export type Teardown = (typeof TEARDOWNS)[number];

export const CLOSED_BY = ['none', 'orig', 'resp', 'both'] as const;
export type ClosedBy = (typeof CLOSED_BY)[number];

/** Anomaly names; bit i of a connection's anomaly mask is ANOMALIES[i]. Open to later additions. */
export const ANOMALIES = [
  'rst-after-fin',
  'late-rst',
  'data-after-fin',
  'data-after-rst',
  'no-close-notify',
  'midstream',
  'port-reuse',
  'retransmission',
  'zero-window',
  'rst-denied',
  'dropped-between-vantages',
  'firewall-only',
  'after-timeout',
] as const;
export type Anomaly = (typeof ANOMALIES)[number];
export const anomalyBit = (a: Anomaly): number => 1 << ANOMALIES.indexOf(a);
export function anomalyNames(mask: number): Anomaly[] {
  const out: Anomaly[] = [];
  for (let i = 0; i < ANOMALIES.length; i++) if (mask & (1 << i)) out.push(ANOMALIES[i]!);
  return out;
}

/** Zeek conn_state values. */
export const CONN_STATES = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'] as const;
export type ConnState = (typeof CONN_STATES)[number];
/**
 * connState value of a connection with no packets (known only from a firewall log): Zeek's
 * conn_state describes packets, so there is none (`null` in NDJSON, `-` in a conn.log).
 */
export const NO_CONN_STATE = 0xff;
/** The conn_state of a table value, undefined for NO_CONN_STATE. */
export const connStateName = (v: number): ConnState | undefined => CONN_STATES[v];

/** RFC 9293 endpoint states, as the capture shows them. */
export const TCP_STATES = [
  'CLOSED',
  'LISTEN',
  'SYN-SENT',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
  'UNKNOWN',
] as const;
export type TcpState = (typeof TCP_STATES)[number];

/**
 * Rows 0..n-1 as an iterable (a command without --filter selects every connection): walked by an
 * iterator object, not a generator, whose steps cost ~100 ns each at millions of rows, and known
 * to the consumers that need the indices as an array, which they make at once (findings.ts).
 */
export class AllRows implements Iterable<number> {
  constructor(readonly n: number) {}

  [Symbol.iterator](): Iterator<number> {
    let i = 0;
    const n = this.n;
    return { next: (): IteratorResult<number> => (i < n ? { value: i++, done: false } : { value: undefined, done: true }) };
  }

  /** The indices as an array. */
  indices(): Uint32Array {
    const a = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) a[i] = i;
    return a;
  }
}
