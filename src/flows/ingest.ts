/**
 * Inputs -> packet table + connection table + firewall events. Each input is sniffed by content:
 * binary captures and text listings become vantage points (packets), firewall syslog becomes
 * events. The per-record path (RecordSink.record -> addPacket) is the hot loop of the whole
 * program: no allocation per packet, one decode, two address lookups, one hash probe, one row.
 */
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import { ACK, FIN, RST, SYN, MARK_RESP, MARK_SYNTH, type InputIssue } from '../model.js';
import { openInput, readCaptureInput, type Input } from '../read/source.js';
import { readSyslog, parseSyslogText } from '../read/syslog.js';
import { readTextCapture } from '../read/text-capture.js';
import type { FwEvent } from '../read/asa.js';
import { zeekOriginator } from '../analysis/zeek.js';
import { AddrTable } from './addr-table.js';
import {
  ConnTable, keyOf, CLOSE_FIN_ORIG, CLOSE_FIN_RESP, CLOSE_RST, KEY_IDS, H_BITS, H_ISN, H_OPKTS, H_RPKTS, HF_FIRST, HF_LAST, HF_OPAY, HF_RPAY,
  B_CLOSE_SHIFT, B_FLIPPED, B_REUSED,
} from './conn-table.js';
import { PacketTable } from './packet-table.js';
import { discarded, osArray } from './memory.js';
import type { RowSpans } from './block-rows.js';
import { decodingSink, newStats, newTally, type DecodeStats } from './decode-sink.js';
import { dropSpareReader, readInWorker, useWorker } from './workers.js';

export type { DecodeStats } from './decode-sink.js';

/** A capture input: one vantage point. */
export interface CaptureFile {
  path: string;
  /** vantage name: the file's base name unless renamed with --name */
  name: string;
  /** pcap, pcapng or text-capture */
  kind: string;
  /** packet-table rows [first, end) came from this file */
  first: number;
  end: number;
  linktypes: Set<number>;
  /** the input carried nanosecond timestamps (pcap ns magic or pcapng tsresol finer than µs) */
  nsec: boolean;
  stats: DecodeStats;
}

/** A firewall log input. */
export interface LogFile {
  path: string;
  name: string;
  events: number;
  /** events per message id */
  counts: Map<number, number>;
  nonAsaLines: number;
}

export interface LoadProgress {
  /** reading the inputs, or (after them) computing every connection's verdicts */
  phase?: 'reading' | 'analysing';
  file: string;
  fileIndex: number;
  files: number;
  bytesRead: number;
  totalBytes: number | undefined;
  packets: number;
  conns: number;
}

export interface LoadOptions {
  /** path -> vantage name (--name FILE=NAME) */
  names?: Map<string, string>;
  onProgress?: (p: LoadProgress) => void;
  /**
   * Put the second core to work (workers.ts): 'auto' reads files of 32 MiB and more in a worker
   * and shares the verdict pass from 400 k packets; 'always', 'never'. Default: RSTTUI_WORKER, else 'auto'.
   */
  worker?: 'auto' | 'always' | 'never';
  /**
   * Give the event loop a turn at least this often (ms) while loading, reporting progress: the UI
   * stays answerable while a large capture loads. Headless runs leave it off.
   */
  yieldEveryMs?: number;
  /** --year, --tz, --date for logs and text listings without them */
  year?: number;
  tz?: string;
  date?: string;
}

export interface Ingest {
  /** capture inputs, one vantage each, in command-line order */
  files: CaptureFile[];
  logs: LogFile[];
  /** every firewall event read, in log order */
  events: FwEvent[];
  packets: PacketTable;
  conns: ConnTable;
  addrs: AddrTable;
  issues: InputIssue[];
}

// slots of PacketAdder.pk
const P_KV = 0, P_KA = 1, P_SPORT = 2, P_KB = 3, P_DPORT = 4, P_FLAGS = 5, P_SEQ = 6, P_PLEN = 7, P_MARK = 8, P_SLOTS = 9;

const displayName = (path: string, names: Map<string, string> | undefined): string =>
  names?.get(path) ?? (path === '-' ? 'stdin' : basename(path));

/**
 * Adds packets to the tables: finds or creates the connection (the originator by Zeek's rule, a new
 * connection on port reuse), updates its counters and appends the row.
 *
 * Connections are looked up by key (see KEY_IDS): IPv4 packets by their raw addresses, so that
 * the address table is asked only when a connection is created (source first, then destination:
 * ids are handed out in the order the addresses first appear, as before).
 */
export class PacketAdder {
  /**
   * Packet-table rows of each connection's first and last packet (by index before renumbering):
   * the verdict pass finds a block of connections' packets in the rows between (block-rows.ts).
   */
  readonly spans: RowSpans = { count: 0, first: osArray(Uint32Array, 1024), last: osArray(Uint32Array, 1024) };

  constructor(readonly packets: PacketTable, readonly conns: ConnTable, readonly addrs: AddrTable) {}

  /** New connection from the packet ka:sport -> kb:dport; `flip`: the destination is the originator. */
  private create(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, replaces: number, flip: boolean): number {
    let idS = ka, idD = kb;
    if ((kv & KEY_IDS) === 0) {
      idS = this.addrs.v4IdOf(ka >>> 0);
      idD = this.addrs.v4IdOf(kb >>> 0);
    }
    const c = flip
      ? this.conns.addHot(kv, kb, dport, ka, sport, idD, idS, ts, replaces)
      : this.conns.addHot(kv, ka, sport, kb, dport, idS, idD, ts, replaces);
    const sp = this.spans;
    if (c >= sp.first.length) {
      const oldBytes = sp.first.byteLength * 2;
      const first = osArray(Uint32Array, sp.first.length * 2), last = osArray(Uint32Array, sp.first.length * 2);
      first.set(sp.first);
      last.set(sp.last);
      sp.first = first;
      sp.last = last;
      discarded(oldBytes);
    }
    sp.first[c] = this.packets.count;
    sp.count = c + 1;
    return c;
  }

  /**
   * The packet countPacket counts (P_* slots, and its time), handed over in typed arrays rather
   * than as arguments: countPacket is too large to be inlined, and a call that is not passes a
   * double, or an int32 past 30 bits (most raw IPv4 addresses and sequence numbers), as a fresh
   * heap number: ~3 allocations a packet, which kept the young generation collecting every ~17 ms
   * while reading.
   */
  private readonly pk = new Int32Array(P_SLOTS);
  private readonly pkTs = new Float64Array(1);

  private setPacket(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, flags: number, seq: number,
    plen: number, mark: number): void {
    const pk = this.pk;
    pk[P_KV] = kv;
    pk[P_KA] = ka;
    pk[P_SPORT] = sport;
    pk[P_KB] = kb;
    pk[P_DPORT] = dport;
    pk[P_FLAGS] = flags;
    pk[P_SEQ] = seq;
    pk[P_PLEN] = plen;
    pk[P_MARK] = mark;
    this.pkTs[0] = ts;
  }

  /** Add a packet: its connection's counters and its row. */
  add(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, flags: number, seq: number, ack: number,
    plen: number, win: number, mark: number, frame: number, offset: number): void {
    this.setPacket(kv, ka, sport, kb, dport, ts, flags, seq, plen, mark);
    const r = this.countPacket();
    this.packets.push(ts, offset, frame, r >>> 1, seq, ack, plen, win, flags, r & 1 ? mark | MARK_RESP : mark);
  }

  /** Add a packet whose analysis columns the reader worker has written (PacketTable.pushRead). */
  addRead(kv: number, ka: number, sport: number, kb: number, dport: number, ts: number, flags: number, seq: number,
    plen: number, mark: number, frame: number, offset: number): void {
    this.setPacket(kv, ka, sport, kb, dport, ts, flags, seq, plen, mark);
    const r = this.countPacket();
    this.packets.pushRead(offset, frame, r >>> 1, r & 1 ? mark | MARK_RESP : -1);
  }

  /**
   * Find or create the packet's connection (setPacket), count the packet in it and note it as the
   * connection's last row. Returns the connection's index * 2, plus 1 when the responder sent it.
   */
  private countPacket(): number {
    const pk = this.pk;
    const kv = pk[P_KV]!, ka = pk[P_KA]!, sport = pk[P_SPORT]!, kb = pk[P_KB]!, dport = pk[P_DPORT]!;
    const flags = pk[P_FLAGS]!, seq = pk[P_SEQ]!, plen = pk[P_PLEN]!;
    let mark = pk[P_MARK]!;
    const ts = this.pkTs[0]!;
    const conns = this.conns;
    const r = conns.find(kv, ka, sport, kb, dport);
    let c: number;
    let resp: boolean;
    let newBits = 0;
    if (r >= 0) {
      c = r >>> 1;
      resp = (r & 1) !== 0;
      if ((flags & (SYN | ACK)) === SYN) {
        // A new SYN on a closed tuple starts a new connection (port reuse); a retransmitted
        // SYN (same ISN) or a SYN on a live connection stays in it.
        const hot = conns.hotI;
        const h = c << 4;
        const cb = (hot[h + H_BITS]! >>> B_CLOSE_SHIFT) & 7;
        const closed = (cb & CLOSE_RST) !== 0 || (cb & (CLOSE_FIN_ORIG | CLOSE_FIN_RESP)) === (CLOSE_FIN_ORIG | CLOSE_FIN_RESP);
        if (closed && (seq | 0) !== hot[h + H_ISN]!) {
          hot[h + H_BITS]! |= B_REUSED;
          c = this.create(kv, ka, sport, kb, dport, ts, c, false);
          resp = false;
        }
      }
    } else if (zeekOriginator(flags, sport, dport) === 'sender') {
      c = this.create(kv, ka, sport, kb, dport, ts, -1, false);
      resp = false;
    } else {
      c = this.create(kv, ka, sport, kb, dport, ts, -1, true);
      newBits = B_FLIPPED;
      resp = true;
    }
    // (after create: the records may have moved)
    const hot = conns.hotI;
    const hf = conns.hotF;
    const h = c << 4;
    const f = c << 3;
    let bits = hot[h + H_BITS]! | newBits;
    if (!resp && (flags & (SYN | ACK)) === SYN && hot[h + H_ISN] === 0) hot[h + H_ISN] = seq;
    if (flags & (FIN | RST)) bits |= (flags & RST ? CLOSE_RST : resp ? CLOSE_FIN_RESP : CLOSE_FIN_ORIG) << B_CLOSE_SHIFT;
    if (resp) {
      mark |= MARK_RESP;
      hot[h + H_RPKTS]!++;
      hf[f + HF_RPAY]! += plen;
      bits |= flags << 8;
    } else {
      hot[h + H_OPKTS]!++;
      hf[f + HF_OPAY]! += plen;
      bits |= flags;
    }
    hot[h + H_BITS] = bits | (mark << 16);
    if (ts > hf[f + HF_LAST]!) hf[f + HF_LAST] = ts;
    if (ts < hf[f + HF_FIRST]!) hf[f + HF_FIRST] = ts;
    this.spans.last[c] = this.packets.count;
    return resp ? (c << 1) | 1 : c << 1;
  }
}

/** Read every input into fresh tables (connections not yet renumbered nor analysed). */
export async function ingestInputs(paths: readonly string[], opts: LoadOptions = {}): Promise<Ingest & { spans: RowSpans }> {
  const packets = new PacketTable();
  const conns = new ConnTable();
  const addrs = new AddrTable();
  const issues: InputIssue[] = [];
  const adder = new PacketAdder(packets, conns, addrs);
  const files: CaptureFile[] = [];
  const logs: LogFile[] = [];
  const events: FwEvent[] = [];

  // 1. sniff every input (stdin can be opened once: keep what was opened)
  const opened: { path: string; input: Input | undefined }[] = [];
  for (const path of paths) {
    try {
      opened.push({ path, input: await openInput(path) });
    } catch (e) {
      issues.push({ file: path, severity: 'error', code: 'open-failed', message: e instanceof Error ? e.message : String(e), fatal: true });
      opened.push({ path, input: undefined });
    }
  }
  const isCapture = (k: string): boolean => k === 'pcap' || k === 'pcapng' || k === 'text-capture';
  // vantage index = position among the capture inputs, in command-line order
  const vantageOf = new Map<number, number>();
  opened.forEach((o, k) => {
    if (o.input && isCapture(o.input.kind)) {
      vantageOf.set(k, files.length);
      files.push({
        path: o.path, name: displayName(o.path, opts.names), kind: o.input.kind, first: 0, end: 0,
        linktypes: new Set(), nsec: false, stats: newStats(),
      });
    } else if (o.input && o.input.kind !== 'syslog') {
      const what = o.input.kind === 'gzip' ? 'gzip inside gzip; decompress it first' : 'not a pcap, pcapng, gzip, firewall syslog or text capture listing';
      issues.push({ file: o.path, offset: 0, severity: 'error', code: 'unknown-input', message: `input is ${what}`, fatal: true });
      void o.input.chunks[Symbol.asyncIterator]().return?.();
    }
  });

  // 2. binary captures
  for (let k = 0; k < opened.length; k++) {
    const o = opened[k]!;
    if (!o.input || (o.input.kind !== 'pcap' && o.input.kind !== 'pcapng')) continue;
    const v = vantageOf.get(k)!;
    await readBinary(o.path, o.input, v, files[v]!, packets, adder, addrs, issues, opts, files.length);
  }
  dropSpareReader();
  let firstCaptureTs = Infinity;
  for (let i = 0; i < packets.count; i += 4096) firstCaptureTs = Math.min(firstCaptureTs, packets.ts(i));

  // 3. firewall logs: the year of year-less stamps defaults to the captures'
  const defaultYear = Number.isFinite(firstCaptureTs) ? new Date(firstCaptureTs * 1000).getUTCFullYear() : undefined;
  for (const o of opened) {
    if (!o.input || o.input.kind !== 'syslog') continue;
    const sopts = { ...(opts.year !== undefined ? { year: opts.year } : {}), ...(opts.tz !== undefined ? { tz: opts.tz } : {}), ...(defaultYear !== undefined ? { defaultYear } : {}) };
    let r;
    if (o.path === '-') r = parseSyslogText(await drainText(o.input), 'stdin', sopts);
    else {
      void o.input.chunks[Symbol.asyncIterator]().return?.();
      r = await readSyslog(o.path, sopts);
    }
    for (const e of r.events) events.push(e);
    issues.push(...r.issues);
    logs.push({ path: o.path, name: displayName(o.path, opts.names), events: r.events.length, counts: r.counts, nonAsaLines: r.nonAsaLines });
  }

  // 4. text listings: a listing with times of day only takes its date from --date, else the logs
  const logDate = opts.date ?? dateOf(events.find((e) => Number.isFinite(e.ts))?.ts);
  for (let k = 0; k < opened.length; k++) {
    const o = opened[k]!;
    if (!o.input || o.input.kind !== 'text-capture') continue;
    const v = vantageOf.get(k)!;
    const file = files[v]!;
    const r = readTextCapture(await drainText(o.input), o.path, { ...(logDate ? { date: logDate } : {}), ...(opts.tz ? { tz: opts.tz } : {}) });
    issues.push(...r.issues);
    file.first = packets.count;
    file.stats.records = r.packets.length + r.nonTcp;
    file.stats.other = r.nonTcp;
    for (const tp of r.packets) {
      const src = addrs.idOfText(tp.src), dst = addrs.idOfText(tp.dst);
      if (src === undefined || dst === undefined) continue;
      file.stats.tcp++;
      adder.add(v | KEY_IDS, src, tp.sport, dst, tp.dport, Number.isFinite(tp.ts) ? tp.ts : 0, tp.flags, Number.isFinite(tp.seq) ? tp.seq >>> 0 : 0,
        tp.ack >>> 0, tp.len, tp.win, MARK_SYNTH, tp.frame, tp.line);
    }
    file.end = packets.count;
  }
  conns.seal();
  return { files, logs, events, packets, conns, addrs, issues, spans: adder.spans };
}

async function readBinary(path: string, input: Input, v: number, file: CaptureFile, packets: PacketTable, adder: PacketAdder,
  addrs: AddrTable, issues: InputIssue[], opts: LoadOptions, nFiles: number): Promise<void> {
  file.first = packets.count;
  if (mayExceed32Bits(path)) packets.needWideOffsets();
  const progress = (bytesRead: number, totalBytes: number | undefined): void => {
    opts.onProgress?.({ file: path, fileIndex: v, files: nFiles, bytesRead, totalBytes, packets: packets.count, conns: adder.conns.count });
  };
  const tally = newTally();
  if (useWorker(path, input, opts)) {
    await readInWorker(path, input, v, tally, adder, addrs, issues, progress, opts.yieldEveryMs);
  } else {
    // IPv4: raw addresses as the key (ids when the connection is new); IPv6: ids
    const sink = decodingSink(tally, (data, f, at) => {
      let kv = keyOf(v, at.iface), src = f.v4src | 0, dst = f.v4dst | 0;
      if (f.ipVersion !== 4) {
        kv |= KEY_IDS;
        src = addrs.v6Id(data, f.srcOff);
        dst = addrs.v6Id(data, f.dstOff);
      }
      adder.add(kv, src, f.sport, dst, f.dport, at.ts, f.flags, f.seq, f.ack, f.payloadLen, f.win, at.mark, at.frame, at.fileOffset);
    }, (i) => issues.push(i));
    await readCaptureInput(input, path === '-' ? 'stdin' : path, sink, progress);
  }
  file.stats = tally.stats;
  file.linktypes = tally.linktypes;
  file.nsec = tally.nsec;
  file.end = packets.count;
  summarize(file, tally.firstDamagedFrame, issues);
}

async function drainText(input: Input): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of input.chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

const dateOf = (ts: number | undefined): string | undefined =>
  ts === undefined || !Number.isFinite(ts) ? undefined : new Date(ts * 1000).toISOString().slice(0, 10);

/**
 * Record offsets of a plain file under 4 GiB fit 32 bits. Larger files get 64-bit offsets from
 * the start; stdin and gzip (size unknown) start with 32 bits and the packet table widens them
 * when an offset needs it (most never do: 4 bytes per packet saved).
 */
function mayExceed32Bits(path: string): boolean {
  if (path === '-') return false;
  try {
    const st = statSync(path);
    return st.isFile() && st.size >= 2 ** 32;
  } catch {
    return false; // the reader reports the error
  }
}

/** One warning per kind of skipped packet, with counts, instead of one line per packet. */
function summarize(file: CaptureFile, firstDamagedFrame: number, issues: InputIssue[]): void {
  const st = file.stats;
  const w = (code: string, message: string, frame?: number): void => {
    issues.push({ file: file.path, severity: 'warning', code, message, ...(frame ? { frame } : {}) });
  };
  if (st.damaged) w('damaged-packets', `${st.damaged} packet(s) with headers cut short or damaged were skipped (first: record ${firstDamagedFrame})`, firstDamagedFrame);
  if (st.cut) w('cut-packets', `${st.cut} TCP packet(s) had their payload cut by the snap length; their headers were read`);
  if (st.unsupportedLink) w('unsupported-link', `${st.unsupportedLink} record(s) of a link type rsttui does not decode (${[...file.linktypes].join(', ')}) were skipped`);
  if (st.fragments) w('ip-fragments', `${st.fragments} IP fragment(s) were skipped (fragments are flagged, not reassembled)`);
}
