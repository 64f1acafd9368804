/**
 * The bytes of one packet for the detail view, read back from its capture file at the record
 * frame number and offset the packet table keeps (packet bytes are not held in memory).
 */
import { useEffect, useState } from 'react';
import { rereadFrames } from '../../read/reread.js';
import type { Dataset } from '../../flows/dataset.js';
import { fileOfRow } from '../../export/records.js';
import { MARK_SYNTH } from '../../model.js';

export interface PacketBytes {
  data: Uint8Array;
  caplen: number;
  origlen: number;
  linktype: number;
}

/** Read one record back through the readers' reread path (pcap by offset, pcapng and gzip by streaming). */
export async function readRecord(path: string, frame: number, offset: number): Promise<PacketBytes> {
  let out: PacketBytes | undefined;
  await rereadFrames({ path, frames: Uint32Array.of(frame), offsets: [offset] }, (_k, data, off, caplen, origlen, _s, _ns, linktype) => {
    // `data` is only valid during the call: copy the record
    out = { data: data.slice(off, off + caplen), caplen, origlen, linktype };
  });
  if (!out) throw new Error(`${path}: frame ${frame} not found`);
  return out;
}

export type BytesState = { status: 'loading' } | { status: 'ok'; bytes: PacketBytes } | { status: 'none'; reason: string };

/** The bytes of packet-table row `row`, read when the row changes. */
export function usePacketBytes(ds: Dataset, row: number): BytesState {
  const [st, setSt] = useState<BytesState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    if (row < 0 || row >= ds.packets.count) {
      setSt({ status: 'none', reason: 'no packet' });
      return;
    }
    setSt({ status: 'loading' });
    const f = ds.files[fileOfRow(ds, row)]!;
    if (ds.packets.mark(row) & MARK_SYNTH) {
      setSt({ status: 'none', reason: `${f.name} is a text listing: it holds no packet bytes` });
      return;
    }
    if (f.path === '-') {
      setSt({ status: 'none', reason: 'read from stdin: the bytes cannot be read again' });
      return;
    }
    readRecord(f.path, ds.packets.frame(row), ds.packets.offset(row)).then(
      (bytes) => { if (live) setSt({ status: 'ok', bytes }); },
      (e: unknown) => { if (live) setSt({ status: 'none', reason: e instanceof Error ? e.message : String(e) }); },
    );
    return () => {
      live = false;
    };
  }, [ds, row]);
  return st;
}
