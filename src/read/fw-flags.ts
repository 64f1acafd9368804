/** TCP flag bits as a firewall log writes them (`RST`, `FIN PSH ACK`), in header order. */
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG } from '../model.js';

const WORDS: readonly [number, string][] = [[FIN, 'FIN'], [SYN, 'SYN'], [RST, 'RST'], [PSH, 'PSH'], [ACK, 'ACK'], [URG, 'URG'], [ECE, 'ECE'], [CWR, 'CWR']];

export function flagWords(flags: number): string {
  let s = '';
  for (const [b, w] of WORDS) if (flags & b) s += (s ? ' ' : '') + w;
  return s;
}
