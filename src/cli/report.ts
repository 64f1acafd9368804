/**
 * `rsttui report FILE... [-o OUT] [--format md|html] [--filter EXPR]`: the incident in one page.
 * The adapter between the analyses and the report: it takes the findings (analysis/findings.ts),
 * the summary's histogram and each example's timeline (explain) and hands them to the pure
 * report model and its renderers (src/export/report-*.ts). Standard output, or OUT written
 * atomically, never over an input.
 */
import { ExportError, checkTarget, writeAtomic } from '../export/atomic.js';
import { reportModel } from '../export/report-model.js';
import { reportMarkdown } from '../export/report-md.js';
import { reportHtml } from '../export/report-html.js';
import { stripControls } from '../text.js';
import { timeline } from './explain.js';
import { loadForCommand } from './load.js';
import { LineWriter } from './out.js';
import { UsageError, type Parsed } from './main.js';
import { filterOf, filterSyntaxError, selectConns } from './select.js';
import { summarize } from '../analysis/summary.js';

export const REPORT_FORMATS = ['md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** --format, else OUT's extension (.html, .htm), else md. */
export function reportFormat(given: string | undefined, out: string | undefined): ReportFormat {
  if (given !== undefined) {
    if (!(REPORT_FORMATS as readonly string[]).includes(given)) throw new UsageError(`report: unknown --format '${given}' (md or html)`);
    return given as ReportFormat;
  }
  return out !== undefined && /\.html?$/i.test(out) ? 'html' : 'md';
}

export async function runReport(p: Parsed): Promise<number> {
  const out = p.values.output as string | undefined;
  if (out === '') throw new UsageError('report: -o wants a file name');
  const format = reportFormat(p.values.format as string | undefined, out);
  const bad = filterSyntaxError(p);
  if (bad !== undefined) return bad;
  const target = { force: p.values.force === true, inputs: p.files };
  if (out !== undefined && out !== '-') {
    // (a mistake in OUT should not cost the load first)
    const refused = tryTarget(() => checkTarget(out, target));
    if (refused !== undefined) return refused;
  }
  const { ds, status } = await loadForCommand(p);
  if (status !== 0 && out !== undefined && out !== '-') {
    process.stderr.write(`rsttui: report: not writing ${stripControls(out)}: an input could not be read (see above)\n`);
    return status;
  }
  const sel = selectConns(ds, p);
  if (typeof sel === 'number') return sel;
  const idx = Uint32Array.from(sel);
  const filter = filterOf(p);
  const summary = summarize(ds, idx);
  const model = reportModel(ds, idx, {
    findings: summary.findings,
    summary,
    timeline: (i) => timeline(ds, i),
    ...(filter !== undefined ? { filter } : {}),
  });
  const text = format === 'html' ? reportHtml(model) : reportMarkdown(model).join('\n') + '\n';
  if (out === undefined || out === '-') {
    const w = new LineWriter();
    w.line(text.endsWith('\n') ? text.slice(0, -1) : text);
    await w.end();
    return status;
  }
  const inputs = [...p.files, ...ds.files.map((f) => f.path), ...ds.logs.map((l) => l.path)];
  const failed = await tryTargetAsync(() => writeAtomic(out, { ...target, inputs }, (o) => void o.text(text)));
  if (failed !== undefined) return failed;
  process.stderr.write(`wrote the ${format} report of ${model.connections} connection${model.connections === 1 ? '' : 's'} (${model.findings.length} finding${model.findings.length === 1 ? '' : 's'}) to ${stripControls(out)}\n`);
  return status;
}

function report(e: unknown): number {
  if (e instanceof ExportError) {
    process.stderr.write(`rsttui: report: ${stripControls(e.message)}\n`);
    return e.status;
  }
  throw e;
}

function tryTarget(f: () => unknown): number | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return report(e);
  }
}

async function tryTargetAsync(f: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await f();
    return undefined;
  } catch (e) {
    return report(e);
  }
}
