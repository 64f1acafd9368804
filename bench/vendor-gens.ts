/**
 * Every vendor's deterministic log generator (bench/gen-<vendor>.ts) by name, for the benchmarks
 * that compare the readers side by side (bench/log-vendors.ts, bench/vendor-parse.ts). The ASA's
 * own generator (bench/gen-asa.ts) writes a file with its truth beside it and is called apart.
 */
import { generateFortigateLog } from './gen-fortigate.js';
import { generateFtdLog } from './gen-ftd.js';
import { generateNetfilterLog } from './gen-netfilter.js';
import { generatePanosLog } from './gen-panos.js';
import { generatePfLog } from './gen-pf.js';
import { generateSrxLog } from './gen-srx.js';

export const VENDOR_GENERATORS: readonly { name: string; gen: (lines: number, seed?: number) => string }[] = [
  { name: 'FTD', gen: generateFtdLog },
  { name: 'PAN-OS', gen: generatePanosLog },
  { name: 'FortiGate', gen: generateFortigateLog },
  { name: 'SRX', gen: generateSrxLog },
  { name: 'netfilter', gen: generateNetfilterLog },
  { name: 'pf', gen: generatePfLog },
];

/** Lines of a generator in pieces of `piece` lines, each its own seed (a million long lines is more than one string holds). */
export function* generatedPieces(gen: (lines: number, seed?: number) => string, lines: number, piece = 200_000): Generator<string> {
  for (let done = 0, k = 1; done < lines; done += piece, k++) yield gen(Math.min(piece, lines - done), k);
}
