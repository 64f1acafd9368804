/** The status bar's live figures: packets/s, connections, the capture's drops, elapsed time, --keep's drops. */
import type { LiveStats } from '../../flows/live-session.js';

/** Past this resident size without --keep, the status bar says so. */
export const RSS_WARN_BYTES = 1 << 30;

const rate = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(0)}k` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));

export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return `${hh ? `${hh}:` : ''}${String(mm).padStart(hh ? 2 : 1, '0')}:${String(ss).padStart(2, '0')}`;
}

/** `LIVE 1.2k pkt/s 247 conns drop 0 kept-out 0 1:23` (PAUSED while the list is held, ENDED once the inputs have). */
export function liveStatusText(s: LiveStats, paused: boolean, keeping: boolean, rss = 0): string {
  const parts = [
    s.ended ? 'ENDED' : paused ? 'PAUSED' : 'LIVE', `${rate(s.pps)} pkt/s`, `${s.conns} conns`, `drop ${s.captureDropped ?? '-'}`,
    ...(keeping ? [`kept-out ${s.droppedConns}`] : rss >= RSS_WARN_BYTES ? [`RSS ${(rss / 2 ** 30).toFixed(1)}G: --keep`] : []),
    clock(s.elapsedMs),
  ];
  return parts.join(' ');
}
