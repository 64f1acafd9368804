/** `rsttui summary FILE...`: the findings, counts per teardown class and anomaly, top hosts, RST histogram (computed by src/analysis/summary.ts). */
import { summarize, type Summary } from '../analysis/summary.js';
import type { Finding } from '../analysis/finding-types.js';
import { isoUs } from '../export/iso-time.js';
import { loadForCommand } from './load.js';
import { LineWriter } from './out.js';
import type { Parsed } from './main.js';
import { filterSyntaxError, selectConns } from './select.js';

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

/** The findings, most severe first: severity, count, title; for warn and error the cause, who can act and what to do. */
export function findingLines(findings: readonly Finding[]): string[] {
  const out: string[] = ['findings (most severe first; --filter \'finding == NAME\' selects one\'s connections)'];
  if (!findings.length) out.push('  none');
  const pad = ' '.repeat(17);
  const block = (label: string, text: string): void => {
    wrap(text, 86).forEach((l, k) => out.push(`${pad}${k === 0 ? label.padEnd(8) : ' '.repeat(8)}${l}`));
  };
  for (const f of findings) {
    out.push(`  ${f.severity.padEnd(5)} ${String(f.count).padStart(8)}  ${f.title}`);
    if (f.severity !== 'info') {
      block('cause:', f.cause);
      block('who:', f.who);
      block('action:', f.action);
      const ranked = (l: readonly { value: string | number; count: number }[]): string => l.map((r) => `${r.value} (${r.count})`).join(', ');
      block('where:', `servers ${ranked(f.servers)}; ports ${ranked(f.ports)}; clients ${ranked(f.clients)}`);
    }
    out.push(`${pad}${f.filter}${f.examples.length ? `   (e.g. explain --flow ${f.examples.join(', ')})` : ''}`);
  }
  return out;
}

export function summaryLines(s: Summary): string[] {
  const out: string[] = [...findingLines(s.findings), '', `${s.connections} connections, ${s.packets} packets`, '', 'teardown'];
  const w = Math.max(...Object.keys(s.teardown).map((k) => k.length), ...Object.keys(s.anomalies).map((k) => k.length));
  for (const [k, v] of Object.entries(s.teardown)) if (v) out.push(`  ${k.padEnd(w)}  ${String(v).padStart(7)}`);
  out.push('', 'anomalies');
  const an = Object.entries(s.anomalies).filter(([, v]) => v);
  if (!an.length) out.push('  none');
  for (const [k, v] of an) out.push(`  ${k.padEnd(w)}  ${String(v).padStart(7)}`);
  out.push('', 'top hosts by connections with anomalies');
  if (!s.topHosts.length) out.push('  none');
  for (const h of s.topHosts) out.push(`  ${h.host.padEnd(39)}  ${String(h.anomalous).padStart(7)} of ${h.connections}`);
  const fwIds = Object.entries(s.firewall.messages);
  if (fwIds.length) {
    out.push('', `firewall messages (log clock - capture clock ${s.firewall.logOffsetSeconds.toFixed(3)} s)`);
    for (const [id, k] of fwIds.sort((a, b) => b[1] - a[1])) out.push(`  ${id.padEnd(w)}  ${String(k).padStart(7)}`);
  }
  const h = s.rstHistogram;
  const withDenies = fwIds.length > 0;
  const max = Math.max(1, ...h.counts, ...(withDenies ? s.firewall.denies : []));
  out.push('', `connections ending in RST over time (bucket ${h.bucketSeconds.toFixed(3)} s)${withDenies ? ', and firewall "no connection" denies (fw.kind == deny-no-conn, every vendor)' : ''}`);
  out.push(`  ${'bucket start (UTC)'.padEnd(23)}  ${'RST'.padStart(6)}${withDenies ? `  ${'denies'.padStart(6)}` : ''}`);
  h.counts.forEach((n, k) => {
    const d = s.firewall.denies[k] ?? 0;
    const bar = withDenies ? `${'#'.repeat(Math.round((30 * n) / max)).padEnd(30)} ${'x'.repeat(Math.round((30 * d) / max))}` : '#'.repeat(Math.round((40 * n) / max));
    out.push(`  ${isoUs(h.start + k * h.bucketSeconds).slice(0, 23)}  ${String(n).padStart(6)}${withDenies ? `  ${String(d).padStart(6)}` : ''}  ${bar}`);
  });
  return out;
}

export async function runSummary(p: Parsed): Promise<number> {
  const bad = filterSyntaxError(p);
  if (bad !== undefined) return bad;
  const { ds, status } = await loadForCommand(p);
  const sel = selectConns(ds, p);
  if (typeof sel === 'number') return sel;
  const s = summarize(ds, sel);
  const out = new LineWriter();
  if (p.values.json) out.line(JSON.stringify(s, null, 2));
  else for (const l of summaryLines(s)) out.line(l);
  await out.end();
  return status;
}
