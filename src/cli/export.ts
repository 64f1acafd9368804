/**
 * `rsttui export FILE... [--filter EXPR] -o OUT [--format F] [--force]`: the selected connections
 * to a file (src/export/export.ts does the work; the UI calls the same function).
 *
 * stdin (`-`) is spooled to a temporary file before loading when the format copies packets:
 * the packets are read a second time for the export, which a pipe cannot do. The spool is removed
 * when the command ends.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EXPORT_FORMATS, ExportError, exportFlows, formatFromPath, needsPackets, type ExportFormat } from '../export/export.js';
import { stripControls } from '../text.js';
import { loadForCommand } from './load.js';
import { UsageError, type Parsed } from './main.js';
import { filterSyntaxError, selectConns } from './select.js';

export async function runExport(p: Parsed): Promise<number> {
  const out = p.values.output as string | undefined;
  if (out === undefined || out === '') throw new UsageError('export: no output file: give -o OUT');
  const given = p.values.format as string | undefined;
  if (given !== undefined && !(EXPORT_FORMATS as readonly string[]).includes(given)) {
    throw new UsageError(`export: unknown --format '${given}' (one of ${EXPORT_FORMATS.join(', ')})`);
  }
  const format = (given as ExportFormat | undefined) ?? formatFromPath(out);
  if (format === undefined) {
    throw new UsageError(`export: cannot tell the format of '${out}' from its extension (.pcap .pcapng .csv .ndjson .jsonl .log .zeek); give --format`);
  }
  if (p.files.filter((f) => f === '-').length > 1) throw new UsageError('export: stdin (-) can be given only once');
  const bad = filterSyntaxError(p);
  if (bad !== undefined) return bad;

  let spoolDir: string | undefined;
  try {
    let parsed = p;
    if (needsPackets(format) && p.files.includes('-')) {
      spoolDir = mkdtempSync(join(tmpdir(), 'rsttui-stdin-'));
      const spool = join(spoolDir, 'stdin');
      await pipeline(process.stdin, createWriteStream(spool));
      const names = [...((p.values.name as string[] | undefined) ?? [])];
      const named = names.find((s) => s.startsWith('-='));
      names.push(`${spool}=${named !== undefined ? named.slice(2) : 'stdin'}`);
      parsed = { ...p, files: p.files.map((f) => (f === '-' ? spool : f)), values: { ...p.values, name: names } };
    }
    const { ds, status } = await loadForCommand(parsed);
    if (status !== 0) {
      process.stderr.write(`rsttui: export: not writing ${stripControls(out)}: an input could not be read (see above)\n`);
      return status;
    }
    const sel = selectConns(ds, parsed);
    if (typeof sel === 'number') return sel;
    try {
      const r = await exportFlows(ds, sel, out, { format, force: p.values.force === true, inputs: parsed.files, userappl: 'rsttui 0.1.0' });
      for (const note of r.notes ?? []) process.stderr.write(`rsttui: export: note: ${stripControls(note)}\n`);
      process.stderr.write(`wrote ${r.connections} connection${r.connections === 1 ? '' : 's'}, ${r.packets} packet${r.packets === 1 ? '' : 's'} to ${stripControls(out)}\n`);
      return 0;
    } catch (e) {
      if (e instanceof ExportError) {
        process.stderr.write(`rsttui: export: ${stripControls(e.message)}\n`);
        return e.status;
      }
      throw e;
    }
  } finally {
    if (spoolDir !== undefined) rmSync(spoolDir, { recursive: true, force: true });
  }
}
