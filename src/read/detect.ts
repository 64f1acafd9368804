/**
 * Input kind by content, never by file name: users rename, pipe and gzip files freely.
 * Pure functions over the first (decompressed) bytes of an input.
 */
import type { InputKind } from '../model.js';
import { looksLikeSiemJson } from './siem-json.js';
import { ANY_FIREWALL_TAG as FIREWALL_TAG } from './vendors.js';

/** How much of the start the text checks look at. */
const TEXT_WINDOW = 64 * 1024;
/** Non-empty lines examined for a text format (headers and banners come first). */
const TEXT_LINES = 20;

/** ASA `show capture`: `  33437: 12:00:47.907301       172.17.77.250.443 > ...` */
const ASA_CAPTURE = /^\s*\d+: \d\d:\d\d:\d\d\.\d+ +[0-9a-f.:]+\.\d+ > /i;
/** tcpdump -n: `12:00:47.907301 IP 1.2.3.4.443 > 5.6.7.8.1234: Flags [F.], ...` (IPv6 too) */
const TCPDUMP = /\bIP6? [0-9a-f.:]+\.\d+ > [0-9a-f.:]+\.\d+: Flags \[/i;

interface TextSample {
  /** the first TEXT_LINES non-empty lines */
  seen: string[];
  /** seen's last line is the input's last piece, not followed by a newline: it may be cut short */
  openEnd: boolean;
}

/**
 * The first lines of a text input, or null for binary data (NUL bytes). Decoded as latin1, byte
 * for byte (the tags looked for are ASCII), after a UTF-8 byte order mark if there is one.
 */
function textSample(first: Uint8Array): TextSample | null {
  const n = Math.min(first.length, TEXT_WINDOW);
  // NUL bytes mean binary data of some other kind
  for (let i = 0; i < n; i++) if (first[i] === 0) return null;
  const bom = n >= 3 && first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? 3 : 0;
  const text = Buffer.from(first.buffer, first.byteOffset + bom, n - bom).toString('latin1');
  const lines = text.split(/\r?\n/);
  // the last piece may be cut in the middle of a line unless the window held everything
  const cut = n < first.length && lines.length > 1;
  if (cut) lines.pop();
  const seen: string[] = [];
  let openEnd = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    seen.push(l);
    openEnd = !cut && i === lines.length - 1;
    if (seen.length >= TEXT_LINES) break;
  }
  return { seen, openEnd };
}

/** A SIEM JSON-lines export carrying firewall lines (a last line without newline may be cut short). */
const siemSample = (s: TextSample): boolean => looksLikeSiemJson(s.seen, FIREWALL_TAG, s.openEnd);

export function sniffKind(first: Uint8Array): InputKind {
  if (first.length >= 4) {
    const be = ((first[0]! << 24) | (first[1]! << 16) | (first[2]! << 8) | first[3]!) >>> 0;
    switch (be) {
      case 0xa1b2c3d4:
      case 0xd4c3b2a1:
      case 0xa1b23c4d:
      case 0x4d3cb2a1:
        return 'pcap';
      case 0x0a0d0d0a:
        return 'pcapng';
    }
  }
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) return 'gzip';
  const s = textSample(first);
  if (s === null) return 'unknown';
  const { seen } = s;
  if (seen.some((l) => FIREWALL_TAG.test(l))) return 'syslog';
  // a SIEM export whose tags are \u-escaped in JSON strings is read as syslog too (see sniffLogFormat)
  if (/^\s*\{/.test(seen[0] ?? '') && siemSample(s)) return 'syslog';
  if (seen.some((l) => ASA_CAPTURE.test(l) || TCPDUMP.test(l))) return 'text-capture';
  return 'unknown';
}

/**
 * How the lines of a 'syslog' input are written: plain log lines, or a SIEM JSON-lines export
 * whose records carry the raw line (Elasticsearch / OpenSearch `_source` documents or hits,
 * Graylog, Loki), to be unwrapped line by line with `siemLine` from ./siem-json.js.
 * Takes the same first bytes as sniffKind; whenever this says 'siem-json', sniffKind says 'syslog'.
 */
export function sniffLogFormat(first: Uint8Array): 'lines' | 'siem-json' {
  const s = textSample(first);
  return s !== null && s.seen.length > 0 && siemSample(s) ? 'siem-json' : 'lines';
}
