/**
 * The report's charts as inline SVG (no script, no external font or stylesheet): RST-ended
 * connections and firewall "no connection" denies over time as bars with axes, tick labels and a
 * legend, and the findings by count as horizontal bars. Every text goes through `esc`.
 */
import type { Severity } from '../analysis/finding-types.js';
import { stripControls } from '../text.js';
import { utc } from './report-model.js';

/** The fills the charts and ladders use (the HTML test looks for the bar colours in a screenshot). */
export const COLORS = {
  rst: '#d62728',
  deny: '#7b2fbf',
  error: '#8c1010',
  warn: '#e69500',
  info: '#1f77b4',
  axis: '#444444',
  grid: '#dddddd',
  text: '#222222',
  muted: '#777777',
} as const;

export const SEVERITY_COLOR: Record<Severity, string> = { error: COLORS.error, warn: COLORS.warn, info: COLORS.info };

/** Text for HTML or SVG: no control characters, no markup. */
export function esc(s: string): string {
  return stripControls(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A number for an attribute: at most 2 decimals. */
export const n2 = (x: number): string => String(Math.round(x * 100) / 100);

/** A round upper bound for an axis and its tick step (1, 2 or 5 times a power of ten). */
export function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 1 };
  const raw = max / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const s = Math.max(1, step);
  return { top: Math.ceil(max / s) * s, step: s };
}

export interface TimeSeries {
  start: number;
  bucketSeconds: number;
  rst: readonly number[];
  denies: readonly number[];
  withLogs: boolean;
}

/** Bars per time bucket: RST-ended connections, and beside them the firewall's denies. */
export function timeChart(h: TimeSeries, width = 960, height = 300): string {
  const L = 56, R = 16, T = 34, B = 58;
  const pw = width - L - R, ph = height - T - B;
  const n = Math.max(1, h.rst.length);
  const series = h.withLogs ? [h.rst, h.denies] : [h.rst];
  const { top, step } = niceScale(Math.max(0, ...series.flat()));
  const y = (v: number): number => T + ph - (ph * v) / top;
  const bw = pw / n;
  const out: string[] = [];
  out.push(`<svg class="chart time-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="RST-ended connections${h.withLogs ? ' and firewall denies' : ''} over time">`);
  // grid and y axis
  for (let v = 0; v <= top; v += step) {
    out.push(`<line x1="${L}" y1="${n2(y(v))}" x2="${L + pw}" y2="${n2(y(v))}" stroke="${v === 0 ? COLORS.axis : COLORS.grid}" stroke-width="1"/>`);
    out.push(`<text x="${L - 6}" y="${n2(y(v) + 4)}" text-anchor="end" font-size="11" fill="${COLORS.text}">${v}</text>`);
  }
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="${COLORS.axis}" stroke-width="1"/>`);
  // bars
  const colors = [COLORS.rst, COLORS.deny];
  const names = ['rst', 'deny'];
  const words = [(v: number) => `${v} connection${v === 1 ? '' : 's'} ended in RST`, (v: number) => `${v} firewall "no connection" ${v === 1 ? 'deny' : 'denies'}`];
  const inner = bw * 0.8;
  const each = inner / series.length;
  for (let k = 0; k < n; k++) {
    const t = h.start + k * h.bucketSeconds;
    series.forEach((s, j) => {
      const v = s[k] ?? 0;
      if (v <= 0) return;
      const x = L + k * bw + (bw - inner) / 2 + j * each;
      out.push(
        `<rect class="bar ${names[j]}" x="${n2(x)}" y="${n2(y(v))}" width="${n2(Math.max(1, each - 1))}" height="${n2(T + ph - y(v))}" fill="${colors[j]}">` +
          `<title>${esc(`${utc(t, 3)} UTC: ${words[j]!(v)}`)}</title></rect>`,
      );
    });
  }
  // x labels: about 8 bucket starts
  const every = Math.max(1, Math.ceil(n / 8));
  for (let k = 0; k < n; k += every) {
    const x = L + k * bw;
    out.push(`<line x1="${n2(x)}" y1="${T + ph}" x2="${n2(x)}" y2="${T + ph + 5}" stroke="${COLORS.axis}"/>`);
    out.push(`<text x="${n2(x)}" y="${T + ph + 18}" text-anchor="middle" font-size="11" fill="${COLORS.text}">${esc(utc(h.start + k * h.bucketSeconds, 0).slice(11))}</text>`);
  }
  out.push(`<text x="${L + pw / 2}" y="${height - 10}" text-anchor="middle" font-size="12" fill="${COLORS.text}">${esc(`time (UTC, from ${utc(h.start, 0)}), buckets of ${bucketWords(h.bucketSeconds)}`)}</text>`);
  out.push(`<text x="14" y="${T + ph / 2}" text-anchor="middle" font-size="12" fill="${COLORS.text}" transform="rotate(-90 14 ${T + ph / 2})">per bucket</text>`);
  // legend
  series.forEach((_, j) => {
    const x = L + j * 300;
    out.push(`<rect x="${x}" y="10" width="12" height="12" fill="${colors[j]}"/>`);
    out.push(`<text x="${x + 18}" y="20" font-size="12" fill="${COLORS.text}">${j === 0 ? 'connections ended in RST' : 'firewall "no connection" denies'}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function bucketWords(s: number): string {
  if (s >= 1) return `${n2(s)} s`;
  return `${n2(s * 1000)} ms`;
}

export interface BarItem {
  label: string;
  count: number;
  severity: Severity;
  /** an in-page link (#id) */
  anchor?: string;
}

/** One horizontal bar per finding, longest first as given, coloured by severity. */
export function findingsChart(items: readonly BarItem[], width = 960): string {
  const LABEL = 430, R = 60, ROW = 24, T = 8;
  const height = T + ROW * Math.max(1, items.length) + 30;
  const max = Math.max(1, ...items.map((i) => i.count));
  const pw = width - LABEL - R;
  const out: string[] = [];
  out.push(`<svg class="chart findings-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="findings by number of connections">`);
  items.forEach((it, k) => {
    const y = T + k * ROW;
    const w = Math.max(2, (pw * it.count) / max);
    const label = it.label.length > 60 ? `${it.label.slice(0, 59)}…` : it.label;
    const text = `<text x="${LABEL - 8}" y="${y + 16}" text-anchor="end" font-size="12" fill="${COLORS.text}">${esc(`${k + 1}. ${label}`)}</text>`;
    out.push(it.anchor ? `<a href="#${esc(it.anchor)}">${text}</a>` : text);
    out.push(
      `<rect class="bar finding sev-${it.severity}" x="${LABEL}" y="${y + 3}" width="${n2(w)}" height="${ROW - 6}" fill="${SEVERITY_COLOR[it.severity]}">` +
        `<title>${esc(`${it.severity}: ${it.count} connection${it.count === 1 ? '' : 's'}: ${it.label}`)}</title></rect>`,
    );
    out.push(`<text x="${n2(LABEL + w + 6)}" y="${y + 16}" font-size="12" fill="${COLORS.text}">${it.count}</text>`);
  });
  const axisY = T + ROW * Math.max(1, items.length) + 2;
  out.push(`<line x1="${LABEL}" y1="${axisY}" x2="${LABEL + pw}" y2="${axisY}" stroke="${COLORS.axis}"/>`);
  out.push(`<text x="${LABEL}" y="${axisY + 16}" font-size="11" fill="${COLORS.text}">0</text>`);
  out.push(`<text x="${LABEL + pw}" y="${axisY + 16}" text-anchor="end" font-size="11" fill="${COLORS.text}">${max} connections</text>`);
  // legend
  (['error', 'warn', 'info'] as const).forEach((s, j) => {
    const x = 8 + j * 70;
    out.push(`<rect x="${x}" y="${axisY + 6}" width="10" height="10" fill="${SEVERITY_COLOR[s]}"/><text x="${x + 14}" y="${axisY + 15}" font-size="11" fill="${COLORS.text}">${s}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
