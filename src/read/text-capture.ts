/**
 * Text captures -> packet rows, so that an engineer's own listings load next to binary captures.
 *
 *   ASA `show capture`:  33749: 12:00:50.443687  203.0.113.147.43918 > 172.17.77.250.443: R 991843172:991843172(0) ack 2320205171 win 0
 *   tcpdump -n:          12:00:50.443687 IP 203.0.113.147.43918 > 172.17.77.250.443: Flags [R.], seq 991843172, ack 2320205171, win 0, length 0
 *                        (also -tt epoch times, -tttt dates, IP6, -S absolute numbers)
 *
 * Both print no seq for a segment without data, SYN, FIN or RST; such a row gets the sender's next
 * sequence number (from its previous segment, else from the peer's last ack) and `seqInferred`.
 * tcpdump without -S prints seq/ack relative to the first ACK-bearing packet of each connection;
 * that is undone by replaying tcpdump's own bookkeeping, with a warning.
 */
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../model.js';
import type { InputIssue } from '../model.js';
import { MONTHS, makeZone, type Zone } from './syslog-envelope.js';

export interface TextPacket {
  /** 1-based line in the text */
  line: number;
  /** the listing's own number for ASA, the line number otherwise */
  frame: number;
  /** epoch seconds (µs precision); NaN when the listing has no times */
  ts: number;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
  flags: number;
  /** NaN if neither printed nor inferable */
  seq: number;
  /** 0 when the packet carries no ACK */
  ack: number;
  len: number;
  win: number;
  hasAck: boolean;
  /** TCP options as printed, without the brackets */
  options?: string;
  /** seq was not printed (pure ACK) and was derived from the neighbouring packets */
  seqInferred?: boolean;
}

export interface TextCaptureOptions {
  /** YYYY-MM-DD for listings that print only the time of day */
  date?: string;
  /** zone of printed wall-clock times (default UTC) */
  tz?: string;
}

export interface TextCaptureResult {
  packets: TextPacket[];
  issues: InputIssue[];
  format: 'asa' | 'tcpdump';
  /** packet lines that are not TCP (UDP, ICMP, ...), skipped */
  nonTcp: number;
}

const TOD = '(\\d\\d):(\\d\\d):(\\d\\d)(?:\\.(\\d{1,9}))?';
const TIME =
  `(?:(\\d{4})-(\\d\\d)-(\\d\\d) ${TOD}` + // 1-7: -tttt
  `|(\\d{9,11})\\.(\\d{1,9})` + // 8-9: -tt
  `|(?:(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\\d{1,2}) (\\d{4}) )?${TOD})`; // 10-12 date, 13-16 time
const ASA_LINE = new RegExp(`^\\s*(\\d+):\\s+${TIME}\\s+(.*)$`, 'i');
const TCPDUMP_LINE = new RegExp(`^${TIME}\\s+(.*)$`, 'i');
const ASA_HEADER_ONLY = new RegExp(`^\\s*(\\d+):\\s+${TIME}\\s+[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}\\s`, 'i');
const ENDS = /([0-9A-Fa-f.:]+)\.(\d+) > ([0-9A-Fa-f.:]+)\.(\d+):\s*(.*)$/;
const ASA_TCP = /^([FSRPUWE]+|\.)\s+(?:(\d+):(\d+)\((\d+)\)\s*)?(.*)$/;

const ASA_LETTERS: Readonly<Record<string, number>> = { F: FIN, S: SYN, R: RST, P: PSH, U: URG, W: CWR, E: ECE };
const DUMP_LETTERS: Readonly<Record<string, number>> = { ...ASA_LETTERS, '.': ACK };

interface Clock {
  zone: Zone;
  /** epoch seconds of midnight of --date, or NaN */
  day0: number;
  lastTod: number;
  dayAdd: number;
  noDate: boolean;
}

function fracSec(s: string | undefined): number {
  return s ? Number((s + '00000000').slice(0, 9)) / 1e9 : 0;
}

/** Epoch seconds of a line's time fields (`m` from TIME at group offset `o`). */
function timeOf(m: RegExpExecArray, o: number, c: Clock): number {
  if (m[o + 1] !== undefined) {
    const wall = Date.UTC(+m[o + 1]!, +m[o + 2]! - 1, +m[o + 3]!, +m[o + 4]!, +m[o + 5]!, +m[o + 6]!);
    return c.zone.toEpochMs(wall) / 1000 + fracSec(m[o + 7]);
  }
  if (m[o + 8] !== undefined) return Number(m[o + 8]) + fracSec(m[o + 9]);
  const tod = +m[o + 13]! * 3600 + +m[o + 14]! * 60 + +m[o + 15]!;
  const frac = fracSec(m[o + 16]);
  if (m[o + 10] !== undefined) {
    const mo = MONTHS.indexOf(m[o + 10]!.toLowerCase() as (typeof MONTHS)[number]);
    return c.zone.toEpochMs(Date.UTC(+m[o + 12]!, mo, +m[o + 11]!)) / 1000 + tod + frac;
  }
  // Time of day only: a jump back by more than 12 h is the listing passing midnight.
  if (c.lastTod >= 0 && tod < c.lastTod - 43200) c.dayAdd += 86400;
  c.lastTod = tod;
  if (Number.isNaN(c.day0)) {
    c.noDate = true;
    return tod + c.dayAdd + frac;
  }
  // The zone offset is taken at the wall time itself, so a DST change within the day is honoured.
  const wallMs = (c.day0 + c.dayAdd + tod) * 1000;
  return c.zone.toEpochMs(wallMs) / 1000 + frac;
}

function flagBits(s: string, table: Readonly<Record<string, number>>): number | undefined {
  let f = 0;
  for (const ch of s) {
    const b = table[ch];
    if (b === undefined) return undefined;
    f |= b;
  }
  return f;
}

function field(rest: string, name: string): number | undefined {
  const m = new RegExp(`(?:^|[\\s,])${name} (\\d+)`).exec(rest);
  return m ? Number(m[1]) : undefined;
}

/** Whether a text looks like a capture listing, and which; for input sniffing. */
export function sniffTextCapture(text: string): 'asa' | 'tcpdump' | null {
  for (const l of text.split('\n', 50)) {
    if (ASA_LINE.test(l) && ENDS.test(l)) return 'asa';
    if (TCPDUMP_LINE.test(l) && / IP6? /.test(l) && ENDS.test(l)) return 'tcpdump';
  }
  return null;
}

export function readTextCapture(text: string, file: string, opts: TextCaptureOptions = {}): TextCaptureResult {
  const issues: InputIssue[] = [];
  const packets: TextPacket[] = [];
  let zone: Zone;
  try {
    zone = makeZone(opts.tz);
  } catch (e) {
    issues.push({ file, severity: 'error', code: 'bad-option', message: (e as Error).message, fatal: true });
    return { packets, issues, format: 'asa', nonTcp: 0 };
  }
  let day0 = NaN;
  if (opts.date !== undefined) {
    const d = /^(\d{4})-(\d\d)-(\d\d)$/.exec(opts.date);
    if (d) day0 = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!) / 1000;
    else issues.push({ file, severity: 'warning', code: 'bad-option', message: `--date "${opts.date}" is not YYYY-MM-DD; ignored` });
  }
  const clock: Clock = { zone, day0, lastTod: -1, dayAdd: 0, noDate: false };
  let asa = 0;
  let dump = 0;
  let nonTcp = 0;
  let other = 0;
  let firstOther = 0;
  // ASA `show capture detail` puts frame, time and MACs on one line and the packet on the next.
  let pending: { frame: number; ts: number } | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const l = lines[i]!.replace(/\r$/, '');
    if (l.trim() === '') continue;
    const bad = (msg: string): void => {
      issues.push({ file, line: lineNo, severity: 'warning', code: 'bad-capture-line', message: `${msg}; line skipped` });
    };
    let frame = lineNo;
    let ts: number;
    let rest: string;
    let isAsa: boolean;
    let m = ASA_LINE.exec(l);
    if (m) {
      frame = Number(m[1]);
      ts = timeOf(m, 1, clock);
      rest = m[18]!;
      isAsa = true;
      if (ASA_HEADER_ONLY.test(l) && !ENDS.test(rest)) {
        pending = { frame, ts };
        continue;
      }
    } else if ((m = TCPDUMP_LINE.exec(l))) {
      ts = timeOf(m, 0, clock);
      rest = m[17]!;
      isAsa = false;
    } else if (pending && ENDS.test(l)) {
      ({ frame, ts } = pending);
      rest = l.trim();
      isAsa = true;
    } else if (/^\s*(IP6?|In|Out)\s/.test(l) && ENDS.test(l)) {
      ts = NaN; // tcpdump -t: no time
      rest = l.trim();
      isAsa = false;
    } else {
      // Headers ("5 packets captured", "reading from file"), hex dumps, prompts: not packets.
      if (!/^\s*\d+ packets? (captured|shown|received|dropped)/i.test(l) && !/^\s*0x[0-9a-f]{4}:/i.test(l)) {
        if (other++ === 0) firstOther = lineNo;
      }
      continue;
    }
    pending = undefined;
    const e = ENDS.exec(rest);
    if (!e) {
      // ARP, or an IP line whose protocol has no ports.
      nonTcp++;
      continue;
    }
    const tail = e[5]!;
    const pkt: TextPacket = {
      line: lineNo, frame, ts, src: e[1]!.toLowerCase(), sport: Number(e[2]), dst: e[3]!.toLowerCase(), dport: Number(e[4]),
      flags: 0, seq: NaN, ack: 0, len: 0, win: 0, hasAck: false,
    };
    if (isAsa && !tail.startsWith('Flags [')) {
      asa++;
      const t = ASA_TCP.exec(tail);
      if (!t) {
        if (/^(udp|icmp|ip-proto|gre|esp)\b/i.test(tail) || /^\d+\+?\s/.test(tail)) nonTcp++;
        else bad('not an ASA capture TCP line (expected flags F/S/R/P/U or ".")');
        continue;
      }
      const f = t[1] === '.' ? 0 : flagBits(t[1]!, ASA_LETTERS);
      if (f === undefined) {
        bad(`unknown flag letters "${t[1]}"`);
        continue;
      }
      pkt.flags = f;
      if (t[2] !== undefined) {
        pkt.seq = Number(t[2]);
        pkt.len = Number(t[4]);
      }
      const more = t[5]!;
      const ack = field(more, 'ack');
      if (ack !== undefined) {
        pkt.ack = ack;
        pkt.hasAck = true;
        pkt.flags |= ACK; // the ASA prints no letter for ACK: an ack field means the bit was set
      }
      const win = field(more, 'win');
      if (win === undefined) {
        bad('no "win" field');
        continue;
      }
      pkt.win = win;
      const o = /<([^>]*)>/.exec(more);
      if (o) pkt.options = o[1];
    } else {
      dump++;
      const fm = /^Flags \[([^\]]*)\]/.exec(tail);
      if (!fm) {
        nonTcp++;
        continue;
      }
      const f = fm[1] === 'none' ? 0 : flagBits(fm[1]!, DUMP_LETTERS);
      if (f === undefined) {
        bad(`unknown tcpdump flags "[${fm[1]}]"`);
        continue;
      }
      pkt.flags = f;
      pkt.hasAck = (f & ACK) !== 0;
      const s = /(?:^|[\s,])seq (\d+)(?::(\d+))?/.exec(tail);
      if (s) pkt.seq = Number(s[1]);
      const ack = field(tail, 'ack');
      if (ack !== undefined) pkt.ack = ack;
      const win = field(tail, 'win');
      const len = field(tail, 'length');
      if (win === undefined || len === undefined) {
        bad('no "win" or "length" field');
        continue;
      }
      pkt.win = win;
      pkt.len = len;
      const o = /options \[([^\]]*)\]/.exec(tail);
      if (o) pkt.options = o[1];
    }
    packets.push(pkt);
  }
  const format = asa >= dump ? 'asa' : 'tcpdump';
  if (format === 'tcpdump') undoRelative(packets, file, issues);
  inferSeq(packets);
  if (clock.noDate && packets.length > 0) {
    issues.push({
      file, line: packets[0]!.line, severity: 'warning', code: 'no-date',
      message: 'the listing has times of day only and no date was given: times count from 1970-01-01 (give --date or a log alongside)',
    });
  }
  if (other > 0) {
    issues.push({ file, line: firstOther, severity: 'warning', code: 'non-packet-lines', message: `${other} line(s) that are not packet lines skipped (first at line ${firstOther})` });
  }
  return { packets, issues, format, nonTcp };
}

const key = (a: string, ap: number, b: string, bp: number): string => `${a}|${ap}|${b}|${bp}`;

/**
 * tcpdump without -S: the first ACK-bearing packet of a connection (or a SYN-ACK) is printed
 * absolute and sets the bases (its seq for its direction, ack-1 for the other); later ACK-bearing
 * packets print seq - base, ack - base. Decide whether the listing is like that, then add the bases back.
 */
function undoRelative(pkts: TextPacket[], file: string, issues: InputIssue[]): void {
  // Per direction: the base of its seq and of its ack (NaN where the creating packet printed no seq).
  const bases = new Map<string, { seq: number; ack: number }>();
  const create = (p: TextPacket): void => {
    bases.set(key(p.src, p.sport, p.dst, p.dport), { seq: p.seq, ack: p.ack - 1 });
    bases.set(key(p.dst, p.dport, p.src, p.sport), { seq: p.ack - 1, ack: p.seq });
  };
  let rel = 0;
  let abs = 0;
  const voted = new Set<string>();
  for (const p of pkts) {
    if (!p.hasAck) continue;
    const k = key(p.src, p.sport, p.dst, p.dport);
    const b = bases.get(k);
    if (!b || p.flags & SYN) {
      create(p);
      continue;
    }
    if (voted.has(k) || Number.isNaN(b.ack)) continue;
    voted.add(k);
    // Relative: small numbers far below the base; absolute: just above it.
    if (p.ack < 1 << 24 && b.ack > 1 << 25) rel++;
    else if ((p.ack - b.ack) >>> 0 < 1 << 24) abs++;
  }
  if (rel <= abs) return;
  bases.clear();
  let cut = 0;
  for (const p of pkts) {
    if (!p.hasAck) continue;
    const b = bases.get(key(p.src, p.sport, p.dst, p.dport));
    if (!b || p.flags & SYN) {
      create(p);
      // A first packet already showing tiny numbers means the listing starts after the real first packet.
      if (!(p.flags & SYN) && p.ack < 1 << 16 && (Number.isNaN(p.seq) || p.seq < 1 << 16) && cut++ === 0) {
        issues.push({
          file, line: p.line, severity: 'warning', code: 'relative-seq-unknown',
          message: `${p.src}.${p.sport} > ${p.dst}.${p.dport}: the first packet of this connection in the listing already has relative seq/ack, so they cannot be made absolute (render with tcpdump -S)`,
        });
      }
      continue;
    }
    if (!Number.isNaN(p.seq) && !Number.isNaN(b.seq)) p.seq = (p.seq + b.seq) >>> 0;
    if (!Number.isNaN(b.ack)) p.ack = (p.ack + b.ack) >>> 0;
  }
  issues.push({
    file, line: pkts[0]?.line ?? 1, severity: 'warning', code: 'relative-seq',
    message: 'tcpdump printed relative sequence numbers (no -S): made absolute again from the first packet of each connection, exact only if the listing is complete from there (render with tcpdump -S to be sure)',
  });
}

/** Give pure ACKs (no seq printed) the sender's next sequence number. */
function inferSeq(pkts: TextPacket[]): void {
  const next = new Map<string, number>();
  const peerAck = new Map<string, number>();
  for (const p of pkts) {
    const k = key(p.src, p.sport, p.dst, p.dport);
    if (Number.isNaN(p.seq)) {
      const v = next.get(k) ?? peerAck.get(k);
      if (v !== undefined) {
        p.seq = v;
        p.seqInferred = true;
      }
    }
    if (!Number.isNaN(p.seq) && !(p.flags & RST)) {
      next.set(k, (p.seq + p.len + (p.flags & SYN ? 1 : 0) + (p.flags & FIN ? 1 : 0)) >>> 0);
    }
    if (p.hasAck) peerAck.set(key(p.dst, p.dport, p.src, p.sport), p.ack);
  }
}
