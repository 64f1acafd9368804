/**
 * Input kind by content, never by file name: users rename, pipe and gzip files freely.
 * Pure function over the first (decompressed) bytes of an input.
 */
import type { InputKind } from '../model.js';

/** How much of the start the text checks look at. */
const TEXT_WINDOW = 64 * 1024;
/** Non-empty lines examined for a text format (headers and banners come first). */
const TEXT_LINES = 20;

const FIREWALL_TAG = /%(?:ASA|FTD|PIX)-/;
/** ASA `show capture`: `  33437: 12:00:47.907301       172.17.77.250.443 > ...` */
const ASA_CAPTURE = /^\s*\d+: \d\d:\d\d:\d\d\.\d+ +[0-9a-f.:]+\.\d+ > /i;
/** tcpdump -n: `12:00:47.907301 IP 1.2.3.4.443 > 5.6.7.8.1234: Flags [F.], ...` (IPv6 too) */
const TCPDUMP = /\bIP6? [0-9a-f.:]+\.\d+ > [0-9a-f.:]+\.\d+: Flags \[/i;

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
  const n = Math.min(first.length, TEXT_WINDOW);
  // NUL bytes mean binary data of some other kind
  for (let i = 0; i < n; i++) if (first[i] === 0) return 'unknown';
  const text = Buffer.from(first.buffer, first.byteOffset, n).toString('latin1');
  const lines = text.split(/\r?\n/);
  // the last piece may be cut in the middle of a line unless the window held everything
  if (n < first.length && lines.length > 1) lines.pop();
  const seen: string[] = [];
  for (const l of lines) {
    if (l.trim() === '') continue;
    seen.push(l);
    if (seen.length >= TEXT_LINES) break;
  }
  if (seen.some((l) => FIREWALL_TAG.test(l))) return 'syslog';
  if (seen.some((l) => ASA_CAPTURE.test(l) || TCPDUMP.test(l))) return 'text-capture';
  return 'unknown';
}
