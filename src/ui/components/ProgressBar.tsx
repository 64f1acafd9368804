/** Loading progress: bytes read of total, packets per second, connections so far. */
import { basename } from 'node:path';
import type { LoadProgress } from '../../flows/ingest.js';
import type { Theme } from '../theme.js';
import { Line } from './Line.js';
import { fit, shortNum } from '../view/text.js';
import { stripControls } from '../../text.js';

export interface ProgressBarProps {
  progress: LoadProgress | undefined;
  /** ms since the load began */
  elapsed: number;
  width: number;
  theme: Theme;
}

const mb = (n: number): string => (n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0);

/** The text of the bar (pure, for tests). */
export function progressText(p: LoadProgress | undefined, elapsed: number, width: number, full: string, empty: string): string {
  if (!p) return fit('loading...', width);
  if (p.phase === 'analysing' || p.phase === 'matching') {
    const fr = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
    const t = p.phase === 'matching' ? ` ${shortNum(p.bytesRead)}/${shortNum(p.totalBytes ?? 0)} events`
      : ` ${shortNum(p.bytesRead)}/${shortNum(p.totalBytes ?? 0)} conns  ${shortNum(p.packets)} pkts`;
    const h = p.phase === 'matching' ? 'matching firewall events ' : 'analysing ';
    const w = Math.max(5, width - h.length - t.length - 2);
    const f = Math.round(fr * w);
    return fit(`${h}[${full.repeat(f)}${empty.repeat(w - f)}]${t}`, width);
  }
  const frac = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
  const rate = elapsed > 0 ? Math.round((p.packets * 1000) / elapsed) : 0;
  const size = p.totalBytes ? `${mb(p.bytesRead)}/${mb(p.totalBytes)} MB` : `${mb(p.bytesRead)} MB`;
  const tail = p.events !== undefined ? ` ${size}  ${shortNum(p.events)} firewall events` : ` ${size}  ${shortNum(rate)} pkt/s  ${shortNum(p.conns)} conns`;
  const head = stripControls(`loading ${basename(p.file)}${p.files > 1 ? ` (${p.fileIndex + 1}/${p.files})` : ''} `);
  const barW = Math.max(5, width - head.length - tail.length - 2);
  const filled = Math.round(frac * barW);
  return fit(`${head}[${full.repeat(filled)}${empty.repeat(barW - filled)}]${tail}`, width);
}

export function ProgressBar({ progress, elapsed, width, theme }: ProgressBarProps) {
  return <Line text={progressText(progress, elapsed, width, theme.g.barFull, theme.g.barEmpty)} color={theme.accent} />;
}
