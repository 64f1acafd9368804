/**
 * The report as one self-contained HTML file, to mail to the team: inline CSS, inline SVG charts
 * (svg-chart.ts) and ladders (svg-ladder.ts), no script, no network (no external font, image,
 * stylesheet or link). Every text, and above all every text from a capture or a log, goes through
 * `esc` (control characters stripped, markup characters as entities).
 */
import { humanDelta } from '../analysis/glossary.js';
import { COLORS, SEVERITY_COLOR, esc, findingsChart, timeChart } from './svg-chart.js';
import { ladderSvg } from './svg-ladder.js';
import { HEADLINE, spikeWords, utc, type ReportFinding, type ReportModel } from './report-model.js';

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
const sentence = (s: string): string => (/[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: ${COLORS.text}; background: #fff; margin: 24px; max-width: 1160px; }
h1 { font-size: 1.5em; margin: 0 0 .4em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .5em; border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: #f3f3f3; padding: 0 3px; }
.sev { display: inline-block; min-width: 3.2em; text-align: center; color: #fff; border-radius: 3px; padding: 0 4px; font-weight: bold; }
${(['error', 'warn', 'info'] as const).map((s) => `.sev-${s} { background: ${SEVERITY_COLOR[s]}; }`).join('\n')}
dl.evidence { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
dl.evidence dt { font-weight: bold; }
dl.evidence dd { margin: 0; }
svg { display: block; margin: .5em 0; max-width: 100%; height: auto; font-family: system-ui, "DejaVu Sans", sans-serif; }
.note { color: ${COLORS.muted}; }
details summary { cursor: pointer; }
`;

/** The whole report. */
export function reportHtml(m: ReportModel): string {
  const title = `rsttui report: ${plural(m.connections, 'connection')}, ${plural(m.packets, 'packet')}`;
  const out: string[] = [];
  out.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${esc(title)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>');
  out.push(`<h1>${esc(title)}</h1>`);
  if (m.filter !== undefined) out.push(`<p>Filter <code>${esc(m.filter)}</code>: ${m.connections} of ${plural(m.totalConnections, 'connection')}.</p>`);
  out.push(...inShort(m), ...inputs(m), ...findings(m), ...histogram(m));
  m.findings.forEach((f, k) => out.push(...finding(f, k + 1)));
  out.push('</body>', '</html>', '');
  return out.join('\n');
}

function inShort(m: ReportModel): string[] {
  const out = ['<section id="in-short">', '<h2>In short</h2>'];
  if (!m.findings.length) return [...out, '<p>Nothing to report: the selection holds no connection.</p>', '</section>'];
  const s = m.bySeverity;
  const spike = spikeWords(m);
  if (spike) out.push(`<p class="spike"><strong>What explains the spike:</strong> ${esc(spike)}</p>`);
  out.push(`<p>${plural(m.findings.length, 'finding')}; connections by severity: ${s.error} error, ${s.warn} warn, ${s.info} info.</p>`, '<ul>');
  for (const [k, f] of m.findings.slice(0, HEADLINE).entries()) {
    out.push(`<li>${sev(f.severity)} <a href="#finding-${k + 1}">${plural(f.count, 'connection')}</a>: ${esc(f.title)}. <strong>Why:</strong> ${esc(sentence(f.cause))} <strong>Who can act:</strong> ${esc(sentence(f.who))}</li>`);
  }
  if (m.findings.length > HEADLINE) out.push(`<li>and ${plural(m.findings.length - HEADLINE, 'more finding')} below</li>`);
  out.push('</ul>', '</section>');
  return out;
}

const sev = (s: string): string => `<span class="sev sev-${esc(s)}">${esc(s)}</span>`;

function inputs(m: ReportModel): string[] {
  const out = ['<section id="inputs">', '<h2>Inputs</h2>'];
  if (m.captures.length) {
    out.push('<table>', '<tr><th>capture</th><th>format</th><th class="num">packets</th><th>first (UTC)</th><th>last (UTC)</th></tr>');
    for (const c of m.captures) out.push(`<tr><td><code>${esc(c.name)}</code></td><td>${esc(c.kind)}</td><td class="num">${c.packets}</td><td>${utc(c.first)}</td><td>${utc(c.last)}</td></tr>`);
    out.push('</table>');
  }
  if (m.logs.length) {
    out.push('<table>', '<tr><th>log</th><th>vendor</th><th>devices</th><th class="num">lines</th><th class="num">events</th><th>first (log clock)</th><th>last (log clock)</th></tr>');
    for (const l of m.logs) {
      const dev = l.devices.slice(0, 3).map((d) => `<code>${esc(d)}</code>`).join(', ') + (l.devices.length > 3 ? ` and ${l.devices.length - 3} more` : '');
      out.push(`<tr><td><code>${esc(l.name)}</code></td><td>${esc(l.vendors.join(', ')) || '-'}</td><td>${dev || '-'}</td><td class="num">${l.lines}</td><td class="num">${l.events}</td><td>${utc(l.first)}</td><td>${utc(l.last)}</td></tr>`);
    }
    out.push('</table>');
  }
  if (!m.captures.length && !m.logs.length) out.push('<p>No usable input.</p>');
  if (m.logOffset) out.push(`<p>Log clock − capture clock: ${esc(humanDelta(m.logOffset.seconds))} (from ${plural(m.logOffset.pairs, 'matched event')}); times below are on the capture clock.</p>`);
  else if (m.logs.length && m.captures.length) out.push('<p>Log clock − capture clock: unknown (no log event matched a captured connection).</p>');
  out.push('</section>');
  return out;
}

function findings(m: ReportModel): string[] {
  const out = ['<section id="findings">', '<h2>Findings</h2>'];
  if (!m.findings.length) return [...out, '<p>No findings: no connection in the selection.</p>', '</section>'];
  out.push(findingsChart(m.findings.map((f, k) => ({ label: f.title, count: f.count, severity: f.severity, anchor: `finding-${k + 1}` }))));
  out.push('<table>', '<tr><th class="num">#</th><th>severity</th><th class="num">connections</th><th>first (UTC)</th><th>last (UTC)</th><th>finding</th></tr>');
  m.findings.forEach((f, k) => {
    out.push(`<tr><td class="num">${k + 1}</td><td>${sev(f.severity)}</td><td class="num">${f.count}</td><td>${utc(f.first, 3)}</td><td>${utc(f.last, 3)}</td><td><a href="#finding-${k + 1}">${esc(f.title)}</a></td></tr>`);
  });
  out.push('</table>', '</section>');
  return out;
}

function histogram(m: ReportModel): string[] {
  const h = m.histogram;
  const out = ['<section id="over-time">', `<h2>RST-ended connections${h.withLogs ? ' and firewall “no connection” denies' : ''} over time</h2>`];
  if (!h.rst.length || m.connections === 0) return [...out, '<p>No connection in the selection.</p>', '</section>'];
  out.push(
    `<p>${h.rst.length} buckets of ${esc(humanDelta(h.bucketSeconds))} from ${utc(h.start, 3)} UTC: ${plural(h.rstTotal, 'connection')} ended in RST` +
      (h.withLogs
        ? `; ${h.denyTotal} firewall “no connection” ${h.denyTotal === 1 ? 'deny' : 'denies'} (<code>fw.kind == deny-no-conn</code>, every vendor, on the ${m.captures.length ? 'capture' : 'log'} clock${m.filter !== undefined ? ', all of the logs’, not only the filtered connections’' : ''}).</p>`
        : '.</p>'),
  );
  out.push(timeChart(h));
  out.push('<details><summary>the numbers</summary>', '<table>', `<tr><th>bucket start (UTC)</th><th class="num">RST-ended</th>${h.withLogs ? '<th class="num">denies</th>' : ''}</tr>`);
  h.rst.forEach((n, k) => out.push(`<tr><td>${utc(h.start + k * h.bucketSeconds, 3)}</td><td class="num">${n}</td>${h.withLogs ? `<td class="num">${h.denies[k] ?? 0}</td>` : ''}</tr>`));
  out.push('</table>', '</details>', '</section>');
  return out;
}

const ranked = <T>(list: readonly { value: T; count: number }[]): string =>
  list.length ? list.map((r) => `${esc(String(r.value))} (${r.count})`).join(', ') : '-';

function finding(f: ReportFinding, k: number): string[] {
  const out = [`<section class="finding" id="finding-${k}">`, `<h2>${k}. ${sev(f.severity)} ${esc(f.title)}</h2>`, '<dl class="evidence">'];
  const row = (dt: string, dd: string): void => void out.push(`<dt>${dt}</dt><dd>${dd}</dd>`);
  row('connections', `${f.count}, ${utc(f.first, 3)} to ${utc(f.last, 3).slice(11)} UTC (${esc(humanDelta(Math.max(0, f.last - f.first)))})`);
  if (f.evidence.length) row('evidence', `<ul>${f.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`);
  row('clients', ranked(f.clients));
  row('servers', ranked(f.servers));
  row('server ports', ranked(f.ports));
  row('likely cause', esc(f.cause));
  row('who can act', esc(f.who));
  row('what to do', esc(f.action));
  row('examples', f.examples.length ? `connection${f.examples.length === 1 ? '' : 's'} ${f.examples.join(', ')}` : '-');
  row('filter', `<code>${esc(f.select)}</code>`);
  out.push('</dl>');
  if (f.ladder) {
    out.push(`<p>Example: connection ${f.ladder.id}, ${esc(f.ladder.client)} (client) to ${esc(f.ladder.server)} (server); every packet with <code>rsttui explain --flow ${f.ladder.id}</code> on the same inputs. Hover a row for its whole explanation.</p>`);
    out.push(ladderSvg(f.ladder, `f${k}`));
  }
  out.push('</section>');
  return out;
}
