/** Shared by the reader tests: push bytes through a capture reader (whole, or in pieces) and collect what it says. */
import type { CaptureReader, InputIssue, RecordSink } from '../src/model.js';

export interface Rec {
  frame: number;
  time: string;
  caplen: number;
  origlen: number;
  linktype: number;
  iface: number;
  fileOffset: number;
  hex: string;
}

/** Push `bytes` through a reader made by `make` in pieces of `step` bytes (whole file when undefined). */
export function readWith(make: (file: string, sink: RecordSink) => CaptureReader, bytes: Uint8Array, step?: number): { recs: Rec[]; issues: InputIssue[]; frames: number } {
  const recs: Rec[] = [];
  const issues: InputIssue[] = [];
  const sink: RecordSink = {
    record(data, off, caplen, origlen, sec, nsec, linktype, iface, frame, fileOffset) {
      recs.push({
        frame, time: `${sec}.${String(nsec).padStart(9, '0')}`, caplen, origlen, linktype, iface, fileOffset,
        hex: Buffer.from(data.subarray(off, off + caplen)).toString('hex'),
      });
    },
    issue(i) {
      issues.push(i);
    },
  };
  const r = make('F', sink);
  if (step === undefined) r.push(bytes);
  else for (let o = 0; o < bytes.length; o += step) r.push(bytes.subarray(o, Math.min(o + step, bytes.length)));
  r.end();
  return { recs, issues, frames: r.frames };
}
