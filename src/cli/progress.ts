/**
 * The progress line of headless commands: on stderr, only when stderr is a terminal, at most
 * ~10 times a second, erased when done. Nothing at all when stderr is a pipe or a file.
 */
import type { LoadProgress } from '../flows/ingest.js';
import { stripControls } from '../text.js';

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { onProgress?: (p: LoadProgress) => void; done: () => void } {
  if (!stream.isTTY) return { done: () => {} };
  let last = 0;
  let shown = false;
  const t0 = Date.now();
  return {
    onProgress(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const pct = p.totalBytes ? ` ${Math.min(100, Math.floor((100 * p.bytesRead) / p.totalBytes))}%` : '';
      const secs = Math.max((now - t0) / 1000, 0.001);
      const name = p.file.length > 30 ? '…' + p.file.slice(-29) : p.file;
      const what = p.phase === 'matching' ? `matching firewall events${pct}  ${p.bytesRead} of ${p.totalBytes ?? 0}`
        : p.phase === 'analysing' ? `analysing${pct}  ${p.bytesRead} of ${p.totalBytes ?? 0} connections`
        : p.events !== undefined ? `reading ${name} (${p.fileIndex + 1}/${p.files})${pct}  ${p.events} firewall events`
        : `reading ${name} (${p.fileIndex + 1}/${p.files})${pct}  ${p.packets} packets  ${p.conns} connections  ${Math.round(p.packets / secs)} pkt/s`;
      stream.write(`\r\x1b[K${stripControls(what)}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
