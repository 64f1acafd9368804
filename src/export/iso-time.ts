/**
 * Times as the tables print them: UTC `YYYY-MM-DD HH:MM:SS.ffffff` (`rsttui flows`, `packets`,
 * `explain`, `summary`).
 */
/** Whether isoUs can write ts: a number within a Date's ±8.64e12 s. */
const printableTs = (ts: number): boolean => Number.isFinite(ts) && Math.abs(ts) < 8.64e12;
/** The whole second isoUs writes for ts (its millisecond floored, then its second). */
const secondOf = (ts: number): number => Math.floor(Math.floor(ts * 1000) / 1000);
/** `YYYY-MM-DD HH:MM:SS` of a whole second since the epoch, UTC. */
const secondText = (s: number): string => new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ');
/** `.ffffff`: ts's microseconds. */
const usText = (ts: number): string => '.' + String(Math.round((ts - Math.floor(ts)) * 1e6) % 1e6).padStart(6, '0');

/** Seconds since the epoch as UTC `YYYY-MM-DD HH:MM:SS.ffffff` (`-` for no time, or one past a Date's ±8.64e12 s). */
export function isoUs(ts: number): string {
  return printableTs(ts) ? secondText(secondOf(ts)) + usText(ts) : '-';
}

/** isoUs for times that come in order (a table's rows): the date and time to the second made once a second. */
export class IsoUsClock {
  private second = NaN;
  private text = '';

  format(ts: number): string {
    if (!printableTs(ts)) return '-';
    const s = secondOf(ts);
    if (s !== this.second) {
      this.second = s;
      this.text = secondText(s);
    }
    return this.text + usText(ts);
  }
}
