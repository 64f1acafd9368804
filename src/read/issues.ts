/**
 * Issue reporting shared by the binary readers: attaches the file name and caps repeats of one
 * code, so a file where every one of 10 M records has the same defect yields a handful of
 * messages and a count rather than 10 M lines.
 */
import type { InputIssue, RecordSink } from '../model.js';

/** Issues of one code reported in full before the rest are only counted. */
export const ISSUE_CAP = 20;

export class IssueLimiter {
  private counts = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly sink: RecordSink,
  ) {}

  report(i: Omit<InputIssue, 'file'>): void {
    const n = (this.counts.get(i.code) ?? 0) + 1;
    this.counts.set(i.code, n);
    if (n <= ISSUE_CAP || i.fatal === true) this.sink.issue({ file: this.file, ...i });
  }

  /** Report how many issues were held back, once, at the end of the file. */
  flush(): void {
    for (const [code, n] of this.counts) {
      if (n > ISSUE_CAP) {
        this.sink.issue({ file: this.file, severity: 'warning', code, message: `${n - ISSUE_CAP} more '${code}' issues not shown` });
      }
    }
    this.counts.clear();
  }
}

/** Hex dump of a few bytes for messages, e.g. `0a 0d 0d 0a`. */
export function hexBytes(b: Uint8Array, o: number, n: number): string {
  return Array.from(b.subarray(o, o + n), (x) => x.toString(16).padStart(2, '0')).join(' ');
}
