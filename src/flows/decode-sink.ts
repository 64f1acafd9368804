/**
 * The record sink every binary capture goes through: decode each record, count what is not a
 * good TCP packet, mark cut and TLS-carrying packets, and hand each TCP packet on. Shared by the
 * reading on the main thread and the reader worker (ingest-worker.ts), so both count alike.
 */
import { LINKTYPE, MARK_CUT, type InputIssue, type RecordSink } from '../model.js';
import { DECODE, newTcpFacts, type TcpFacts } from '../decode/facts.js';
import { decodeTcp } from '../decode/packet.js';
import { tlsMark } from '../decode/tls.js';
import { newNflogNotes, nflogRecorder, type NflogNotes } from './nflog-notes.js';

/** Counts of what a capture held besides good TCP packets. */
export interface DecodeStats {
  records: number;
  tcp: number;
  /** well-formed, not TCP */
  other: number;
  /** headers cut short or damaged: skipped */
  damaged: number;
  unsupportedLink: number;
  fragments: number;
  /** TCP packets whose payload was cut by snaplen (kept, marked) */
  cut: number;
}

export function newStats(): DecodeStats {
  return { records: 0, tcp: 0, other: 0, damaged: 0, unsupportedLink: 0, fragments: 0, cut: 0 };
}

/** What reading a capture learns about it besides its packets. */
export interface DecodeTally {
  stats: DecodeStats;
  linktypes: Set<number>;
  /** the input carried nanosecond timestamps */
  nsec: boolean;
  /** record number of the first damaged packet (0: none) */
  firstDamagedFrame: number;
  /** NFLOG records' groups, prefixes and damage (only when the capture has NFLOG records) */
  nflog?: NflogNotes;
}

export const newTally = (): DecodeTally => ({ stats: newStats(), linktypes: new Set(), nsec: false, firstDamagedFrame: 0 });

/** Where a decoded packet came from, and its time and MARK_* bits (one object, reused: valid during the call only). */
export interface RecordAt {
  /** epoch seconds */
  ts: number;
  mark: number;
  iface: number;
  frame: number;
  fileOffset: number;
}

/**
 * A decoded TCP packet: the facts and where it came from, both valid during the call only. (In
 * objects rather than arguments: the callbacks are too large to be inlined, and a call that is
 * not passes a double, the time, as a fresh heap number, one per packet.)
 */
export type OnTcp = (data: Uint8Array, f: TcpFacts, at: RecordAt) => void;

const NFLOG = LINKTYPE.NFLOG;

export function decodingSink(t: DecodeTally, onTcp: OnTcp, onIssue: (i: InputIssue) => void): RecordSink {
  const f = newTcpFacts();
  const at: RecordAt = { ts: 0, mark: 0, iface: 0, frame: 0, fileOffset: 0 };
  const st = t.stats;
  let lastLinktype = -1;
  let nflog: ReturnType<typeof nflogRecorder> | undefined;
  const nflogOf = (): ReturnType<typeof nflogRecorder> => (nflog ??= nflogRecorder((t.nflog ??= newNflogNotes())));
  return {
    record(data, off, caplen, origlen, tsSec, tsNsec, linktype, iface, frame, fileOffset) {
      st.records++;
      if (linktype !== lastLinktype) {
        t.linktypes.add(linktype);
        lastLinktype = linktype;
      }
      if (tsNsec % 1000 !== 0) t.nsec = true;
      const r = decodeTcp(data, off, caplen, origlen, linktype, f);
      if (r !== DECODE.TCP) {
        if (r === DECODE.OTHER) st.other++;
        else if (r === DECODE.DAMAGED) {
          if (st.damaged++ === 0) t.firstDamagedFrame = frame;
          if (linktype === NFLOG) nflogOf().damaged(data, off, Math.min(off + caplen, data.length), frame, fileOffset);
        } else if (r === DECODE.UNSUPPORTED_LINK) st.unsupportedLink++;
        else st.fragments++;
        return;
      }
      st.tcp++;
      if (linktype === NFLOG) nflogOf().tcp(data, off, Math.min(off + caplen, data.length), frame);
      let mark = 0;
      if (f.cut) {
        mark = MARK_CUT;
        st.cut++;
      }
      if (f.payloadLen > 0) mark |= tlsMark(data, f.payloadOff, f.payloadCaptured, f.payloadLen);
      at.ts = tsSec + tsNsec / 1e9;
      at.mark = mark;
      at.iface = iface;
      at.frame = frame;
      at.fileOffset = fileOffset;
      onTcp(data, f, at);
    },
    issue: onIssue,
  };
}
