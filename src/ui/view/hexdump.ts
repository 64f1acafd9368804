/**
 * Hex/ASCII dump and the layer tree of the packet-detail view. Every byte outside 0x20..0x7e is
 * shown as `.`: payload bytes never reach the terminal as themselves.
 */
import type { Layer } from '../../decode/detail.js';
import { stripControls } from '../../text.js';

const HEX = '0123456789abcdef';

/** One line per 16 bytes: `0000  45 00 00 3c ... 00 00  E..<....`; `hi` marks [start,end) with `[`/`]`-free bracketing by the caller. */
export function hexDump(bytes: Uint8Array, perLine = 16): string[] {
  const out: string[] = [];
  for (let o = 0; o < bytes.length; o += perLine) {
    let hex = '';
    let asc = '';
    for (let k = 0; k < perLine; k++) {
      const at = o + k;
      if (at < bytes.length) {
        const b = bytes[at]!;
        hex += HEX[b >> 4]! + HEX[b & 15]! + ' ';
        asc += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
      } else hex += '   ';
      if (k === 7) hex += ' ';
    }
    out.push(`${o.toString(16).padStart(4, '0')}  ${hex} ${asc}`);
  }
  return out;
}

/** Bytes per dump line that fit a width (16 at 80 columns, 8 below). */
export function bytesPerLine(width: number): number {
  return width >= 76 ? 16 : 8;
}

/** The decoded layers as indented lines: `TCP  43918 -> 443 ...` then `    Flags: 0x014 (RST, ACK)`. */
export function layerLines(layers: readonly Layer[]): string[] {
  const out: string[] = [];
  for (const l of layers) {
    out.push(stripControls(`${l.name}${l.summary ? '  ' + l.summary : ''}  [bytes ${l.start}..${l.end})`));
    for (const f of l.fields) out.push(stripControls(`    ${f.name}: ${f.value}`));
  }
  return out;
}
