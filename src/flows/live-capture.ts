/**
 * A live capture stream's reader: pcap or pcapng, told by its first four bytes (which may come in
 * more than one chunk), then the batch's push reader fed chunk by chunk.
 */
import type { CaptureReader, InputIssue, RecordSink } from '../model.js';
import { PcapReader, pcapMagic } from '../read/pcap.js';
import { PcapngReader } from '../read/pcapng.js';
import type { CaptureFile } from './ingest.js';

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
