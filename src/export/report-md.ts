/**
 * The report as Markdown: headings, tables, lists and fenced text ladders, no HTML, so that it
 * reads well in a terminal and pastes into a ticket system as it is. Text from captures and logs
 * loses its control characters, and cannot break out of the table cell, code span or fenced block
 * it is put in.
 */
import { humanDelta } from '../analysis/glossary.js';
import { stripControls } from '../text.js';
import { HEADLINE, spikeWords, utc, type Ladder, type LadderStep, type ReportFinding, type ReportModel } from './report-model.js';

/** Plain text in a paragraph, list or table cell: no HTML, no cell break. */
export function mdText(s: string): string {
  return stripControls(s).replace(/[\\<>|]/g, (ch) => `\\${ch}`);
}

/** Inline code (file names, filters, device names): no backtick can end it early, no `|` the cell. */
export function mdCode(s: string): string {
  const t = stripControls(s).replace(/`/g, "'").replace(/\|/g, '\\|');
  return `\`${t === '' ? ' ' : t}\``;
}

/** A fenced block whose fence no line of it can close. */
export function mdFence(lines: readonly string[], info = 'text'): string[] {
  const clean = lines.map(stripControls);
  let run = 2;
  for (const l of clean) for (const m of l.match(/`+/g) ?? []) run = Math.max(run, m.length);
  const fence = '`'.repeat(run + 1);
  return [fence + info, ...clean, fence];
}

const sentence = (s: string): string => (/[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);
const plural = (n: number, w: string, ws = `${w}s`): string => `${n} ${n === 1 ? w : ws}`;
const span = (a: number, b: number): string => `${utc(a, 3)} to ${utc(b, 3).slice(11)} UTC (${humanDelta(Math.max(0, b - a))})`;
const ranked = <T>(list: readonly { value: T; count: number }[]): string =>
  list.length ? list.map((r) => `${mdText(String(r.value))} (${r.count})`).join(', ') : '-';

/** The whole report, as lines. */
export function reportMarkdown(m: ReportModel): string[] {
  const out: string[] = [];
  out.push(`# rsttui report: ${plural(m.connections, 'connection')}, ${plural(m.packets, 'packet')}`, '');
  if (m.filter !== undefined) out.push(`Filter ${mdCode(m.filter)}: ${m.connections} of ${plural(m.totalConnections, 'connection')}.`, '');
  out.push(...headline(m), '');
  out.push(...inputs(m));
  out.push('## Findings', '');
  if (!m.findings.length) out.push('No findings: no connection in the selection.', '');
  else {
    out.push('| # | severity | connections | first (UTC) | last (UTC) | finding |', '|---:|---|---:|---|---|---|');
    m.findings.forEach((f, k) => out.push(`| ${k + 1} | ${f.severity} | ${f.count} | ${utc(f.first, 3)} | ${utc(f.last, 3)} | ${mdText(f.title)} |`));
    out.push('');
  }
  out.push(...histogram(m));
  m.findings.forEach((f, k) => out.push(...finding(f, k + 1)));
  while (out[out.length - 1] === '') out.pop();
  return out;
}

function headline(m: ReportModel): string[] {
  if (!m.findings.length) return ['Nothing to report: the selection holds no connection.'];
  const s = m.bySeverity;
  const out = [...spikeLine(m), `In short: ${plural(m.findings.length, 'finding')}; connections by severity: ${s.error} error, ${s.warn} warn, ${s.info} info.`, ''];
  for (const f of m.findings.slice(0, HEADLINE)) {
    out.push(`- **${f.severity}**, ${plural(f.count, 'connection')}: ${mdText(f.title)}. Why: ${mdText(sentence(f.cause))} Who can act: ${mdText(sentence(f.who))}`);
  }
  if (m.findings.length > HEADLINE) out.push(`- and ${plural(m.findings.length - HEADLINE, 'more finding')} below`);
  return out;
}

/** The first line: which finding explains the spike of denies (or of RSTs), and what it means. */
function spikeLine(m: ReportModel): string[] {
  const w = spikeWords(m);
  return w ? [`**What explains the spike:** ${mdText(w)}`, ''] : [];
}

function inputs(m: ReportModel): string[] {
  const out = ['## Inputs', ''];
  if (m.captures.length) {
    out.push('| capture | format | packets | first (UTC) | last (UTC) |', '|---|---|---:|---|---|');
    for (const c of m.captures) out.push(`| ${mdCode(c.name)} | ${mdText(c.kind)} | ${c.packets} | ${utc(c.first)} | ${utc(c.last)} |`);
    out.push('');
  }
  if (m.logs.length) {
    out.push('| log | vendor | devices | lines | events | first (log clock) | last (log clock) |', '|---|---|---|---:|---:|---|---|');
    for (const l of m.logs) {
      const dev = l.devices.length ? l.devices.slice(0, 3).map(mdCode).join(', ') + (l.devices.length > 3 ? ` and ${l.devices.length - 3} more` : '') : '-';
      out.push(`| ${mdCode(l.name)} | ${l.vendors.map(mdText).join(', ') || '-'} | ${dev} | ${l.lines} | ${l.events} | ${utc(l.first)} | ${utc(l.last)} |`);
    }
    out.push('');
  }
  if (!m.captures.length && !m.logs.length) out.push('No usable input.', '');
  if (m.logOffset) out.push(`Log clock - capture clock: ${humanDelta(m.logOffset.seconds)} (from ${plural(m.logOffset.pairs, 'matched event')}); times below are on the capture clock.`, '');
  else if (m.logs.length && m.captures.length) out.push('Log clock - capture clock: unknown (no log event matched a captured connection).', '');
  return out;
}

const BAR = 30;

function histogram(m: ReportModel): string[] {
  const h = m.histogram;
  const out = [`## RST-ended connections${h.withLogs ? ' and firewall "no connection" denies' : ''} over time`, ''];
  if (!h.rst.length || m.connections === 0) return [...out, 'No connection in the selection.', ''];
  out.push(
    `${h.rst.length} buckets of ${humanDelta(h.bucketSeconds)} from ${utc(h.start, 3)} UTC: ${plural(h.rstTotal, 'connection')} ended in RST` +
      (h.withLogs ? `; ${h.denyTotal} firewall "no connection" ${h.denyTotal === 1 ? 'deny' : 'denies'} (\`fw.kind == deny-no-conn\`, every vendor, on the ${m.captures.length ? 'capture' : 'log'} clock${m.filter !== undefined ? ', all of the logs\', not only the filtered connections\'' : ''}).` : '.'),
    '',
  );
  const max = Math.max(1, ...h.rst, ...(h.withLogs ? h.denies : []));
  out.push(`| bucket start (UTC) | RST-ended | ${h.withLogs ? 'denies | ' : ''}# RST-ended${h.withLogs ? ', x denies' : ''} |`);
  out.push(`|---|---:|${h.withLogs ? '---:|' : ''}---|`);
  h.rst.forEach((n, k) => {
    const d = h.denies[k] ?? 0;
    const bar = '#'.repeat(Math.round((BAR * n) / max)) + (h.withLogs ? ' ' + 'x'.repeat(Math.round((BAR * d) / max)) : '');
    out.push(`| ${utc(h.start + k * h.bucketSeconds, 3)} | ${n} | ${h.withLogs ? `${d} | ` : ''}${bar.trim() ? mdCode(bar.trim()) : ''} |`);
  });
  out.push('');
  return out;
}

function finding(f: ReportFinding, k: number): string[] {
  const out = [`## ${k}. [${f.severity}] ${mdText(f.title)}`, ''];
  out.push(`- **connections:** ${f.count}, ${span(f.first, f.last)}`);
  if (f.evidence.length) {
    out.push('- **evidence:**');
    for (const e of f.evidence) out.push(`  - ${mdText(e)}`);
  }
  out.push(`- **clients:** ${ranked(f.clients)}`, `- **servers:** ${ranked(f.servers)}`, `- **server ports:** ${ranked(f.ports)}`);
  out.push(`- **likely cause:** ${mdText(f.cause)}`, `- **who can act:** ${mdText(f.who)}`, `- **what to do:** ${mdText(f.action)}`);
  out.push(`- **examples:** connection${f.examples.length === 1 ? '' : 's'} ${f.examples.join(', ') || '-'}`);
  out.push(`- **filter:** ${mdCode(f.select)}`, '');
  if (f.ladder) {
    out.push(`Example: connection ${f.ladder.id}, ${mdText(f.ladder.client)} (client) to ${mdText(f.ladder.server)} (server); every packet with \`rsttui explain --flow ${f.ladder.id}\` on the same inputs.`, '');
    out.push(...mdFence(ladderLines(f.ladder)), '');
  }
  return out;
}

const CELL = 12;

/** A compact ladder: one line per packet or event, `|` client and server lifelines, then the explanation's main clause. */
export function ladderLines(l: Ladder): string[] {
  const head = `${'time (UTC)'.padEnd(15)}  ${'client'.padEnd(CELL + 2)}server  ${'len'.padStart(5)}  explanation`;
  const out = [head];
  for (const s of l.steps) {
    const time = s.kind === 'gap' ? ''.padEnd(15) : utc(s.ts).slice(11);
    const len = s.kind === 'packet' ? String(s.len).padStart(5) : ''.padStart(5);
    const tag = s.kind !== 'packet' ? '' : s.denied ? 'DENIED: ' : s.lost ? 'LOST between the captures: ' : '';
    out.push(`${time}  |${cell(s)}|  ${len}  ${tag}${stripControls(s.text)}`);
  }
  return out;
}

/** The part between the lifelines: an arrow with its flags, a firewall marker, or a gap. */
function cell(s: LadderStep): string {
  if (s.kind === 'gap') return center('...', CELL, ' ');
  if (s.kind === 'event') return center(`[${s.label.slice(0, CELL - 2)}]`, CELL, ' ');
  const label = s.label.slice(0, CELL - 4);
  const cut = s.denied || s.lost;
  if (s.dir === 'c2s') {
    if (cut) return ('-' + center(label, CELL / 2 - 1, '-') + 'x').padEnd(CELL);
    return '-' + center(label, CELL - 3, '-') + '->';
  }
  if (cut) return ('x' + center(label, CELL / 2 - 1, '-') + '-').padStart(CELL);
  return '<-' + center(label, CELL - 3, '-') + '-';
}

function center(t: string, w: number, pad: string): string {
  if (t.length >= w) return t.slice(0, w);
  const left = Math.floor((w - t.length) / 2);
  return pad.repeat(left) + t + pad.repeat(w - t.length - left);
}
