/**
 * What an NFLOG capture says of each packet besides its headers: the log group and the rule's
 * prefix ("INVALID DROP: "), which the packet list, the ladder and the detail view show. The
 * packet table has no column for them (every other link type would pay for it), so a capture
 * keeps them beside the table as runs: a new run starts at a TCP packet whose group or prefix
 * differs from the previous TCP packet's, and a packet's note is that of the last run starting at
 * or before its frame. A rule set logs with a handful of prefixes, so a capture has few runs.
 * Plain arrays: the reader worker posts them to the main thread as they are.
 */
import { NFLOG_NOTE, nflogNote, nflogProblem, prefixText } from '../decode/nflog.js';
import { ISSUE_CAP } from '../read/issues.js';

export interface NflogNotes {
  /** frame number at which each run starts, ascending */
  frames: number[];
  /** each run's log group and prefix (text as logged: strip control characters to show it) */
  groups: number[];
  prefixes: string[];
  /**
   * each run's verdict from its prefix, 1 = a drop (nflog-verdicts.ts): set by the dataset with the
   * load's drop words, absent until then (and in the reader worker's copy)
   */
  drops?: Uint8Array;
  /** records whose NFLOG header or TLVs are damaged (the first ISSUE_CAP): record header offset in the file, and why */
  damaged: { frame: number; offset: number; message: string }[];
  /** damaged records past those */
  moreDamaged: number;
}

export interface NflogNote {
  group: number;
  prefix: string;
  /** the prefix names a drop: the firewall dropped this packet (nflog-verdicts.ts) */
  dropped: boolean;
}

export const newNflogNotes = (): NflogNotes => ({ frames: [], groups: [], prefixes: [], damaged: [], moreDamaged: 0 });

/**
 * The recorder a capture's sink calls for its NFLOG records: `tcp` for each record decoded as a
 * TCP packet (compares the prefix bytes with the last run's, so a string is made only when a run
 * starts), `damaged` for each record the decoder called damaged.
 */
export function nflogRecorder(notes: NflogNotes): {
  tcp: (data: Uint8Array, off: number, end: number, frame: number) => void;
  damaged: (data: Uint8Array, off: number, end: number, frame: number, fileOffset: number) => void;
} {
  let last = new Uint8Array(0);
  let lastGroup = -1;
  return {
    tcp(data, off, end, frame) {
      nflogNote(data, off, end);
      const { group, prefixOff, prefixLen } = NFLOG_NOTE;
      if (group === lastGroup && prefixLen === last.length) {
        let k = 0;
        while (k < prefixLen && data[prefixOff + k] === last[k]) k++;
        if (k === prefixLen) return;
      }
      last = data.slice(prefixOff, prefixOff + prefixLen);
      lastGroup = group;
      notes.frames.push(frame);
      notes.groups.push(group);
      notes.prefixes.push(prefixText(data, prefixOff, prefixLen));
    },
    damaged(data, off, end, frame, fileOffset) {
      // (no NFLOG fault: the IP or TCP header inside the payload is cut, counted as for any link type)
      const why = nflogProblem(data, off, end);
      if (why === undefined) return;
      if (notes.damaged.length >= ISSUE_CAP) notes.moreDamaged++;
      else notes.damaged.push({ frame, offset: fileOffset, message: why.message });
    },
  };
}

/** The index of the last run starting at or before `frame`, searched from run `lo` on (frames[lo] <= frame). */
export function runAt(frames: readonly number[], frame: number, lo = 0): number {
  let hi = frames.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (frames[mid]! <= frame) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The group, prefix and drop verdict of the TCP packet at `frame` of a capture with these notes. */
export function nflogNoteAt(notes: NflogNotes | undefined, frame: number): NflogNote | undefined {
  if (notes === undefined || notes.frames.length === 0 || frame < notes.frames[0]!) return undefined;
  const k = runAt(notes.frames, frame);
  return { group: notes.groups[k]!, prefix: notes.prefixes[k]!, dropped: notes.drops?.[k] === 1 };
}
