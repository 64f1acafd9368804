/**
 * A live capture stream's reader: pcap or pcapng, told by its first four bytes (which may come in
 * more than one chunk), then the batch's push reader fed chunk by chunk.
 */
import type { CaptureReader, InputIssue, RecordSink } from '../model.js';
import { PcapReader, pcapMagic } from '../read/pcap.js';
import { PcapngReader } from '../read/pcapng.js';
import type { CaptureFile } from './ingest.js';
import type { AddrTable } from './addr-table.js';
import { KEY_IDS, keyOf } from './conn-table.js';
import { decodingSink, newTally } from './decode-sink.js';

/** Where a capture's bytes go: chunks in order, then `end`. */
export interface CaptureSink {
  push(chunk: Uint8Array): void;
  end(): void;
}

export function sniffedReader(label: string, sink: RecordSink, file: CaptureFile, issues: InputIssue[]): CaptureSink {
  let reader: CaptureReader | undefined;
  let head: Uint8Array | undefined;
  const start = (b: Uint8Array): void => {
    const ng = b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a;
    if (ng) reader = new PcapngReader(label, sink);
    else if (pcapMagic(b)) reader = new PcapReader(label, sink);
    else {
      const what = b[0] === 0x1f && b[1] === 0x8b ? 'gzip (a live capture must be plain pcap or pcapng)' : 'neither pcap nor pcapng';
      issues.push({ file: label, offset: 0, severity: 'error', code: 'bad-magic', message: `live capture is ${what}`, fatal: true });
      reader = { push: () => undefined, end: () => undefined, frames: 0 };
    }
    file.kind = ng ? 'pcapng' : 'pcap';
  };
  return {
    push: (chunk) => {
      if (!reader) {
        head = head ? Buffer.concat([head, chunk]) : chunk;
        if (head.length < 4) return;
        start(head);
        chunk = head;
        head = undefined;
      }
      reader!.push(chunk);
    },
    end: () => {
      if (!reader && head) start(head);
      reader?.end();
    },
  };
}

/** A decoded TCP packet's fields and where it was read (decode-sink.ts's callback arguments). */
type Decoded = Parameters<Parameters<typeof decodingSink>[1]>;

/**
 * A capture stream's files and sink: one file (vantage) named `name`, or with `vantages` (the
 * names of its interfaces, in the stream's order: `-i a -i b`) one a vantage, each interface's
 * connections keyed by its vantage. `add` gets each packet with its connection key and address
 * keys (IPv4 raw, IPv6 as address ids: KEY_IDS).
 */
export function openCapture(name: string, path: string, vantages: readonly string[] | undefined, addrs: AddrTable, issues: InputIssue[],
  add: (kv: number, src: number, dst: number, f: Decoded[1], at: Decoded[2]) => void): { files: CaptureFile[]; sink: CaptureSink } {
  const names = vantages && vantages.length > 1 ? vantages : [name];
  const files: CaptureFile[] = names.map((n) => ({ path, name: n, kind: 'pcap', first: 0, end: 0, linktypes: new Set(), nsec: false, stats: newTally().stats }));
  const file = files[0]!;
  const tally = newTally();
  file.stats = tally.stats;
  file.linktypes = tally.linktypes;
  const nv = names.length;
  const sink = decodingSink(tally, (data, f, at) => {
    // (an interface beyond the names given: kept apart, at the first vantage)
    let kv = nv > 1 && at.iface < nv ? at.iface : keyOf(0, at.iface), src = f.v4src | 0, dst = f.v4dst | 0;
    if (f.ipVersion !== 4) {
      kv |= KEY_IDS;
      src = addrs.v6Id(data, f.srcOff);
      dst = addrs.v6Id(data, f.dstOff);
    }
    add(kv, src, dst, f, at);
    file.nsec = tally.nsec;
  }, (i) => issues.push(i));
  return { files, sink: sniffedReader(path === '-' ? name : path, sink, file, issues) };
}
