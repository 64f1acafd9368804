/**
 * Export: a path and a format (by default from the path's extension), then the shown or marked
 * connections are written by the export module and the counts reported. Writing over an existing
 * file needs a second Enter.
 */
import { Box } from 'ink';
import { existsSync } from 'node:fs';
import { useState } from 'react';
import { useKeys } from '../hooks/use-keys.js';
import { useLive } from '../hooks/use-live.js';
import type { Theme } from '../theme.js';
import { Line } from '../components/Line.js';
import { StatusBar } from '../components/StatusBar.js';
import { editLine, type LineState } from '../view/filter-edit.js';
import { fit } from '../view/text.js';
import { stripControls } from '../../text.js';

export const EXPORT_FORMATS = ['auto', 'pcap', 'pcapng', 'csv', 'ndjson', 'zeek', 'ecs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  connections: number;
  packets: number;
  path: string;
}

export interface ExportDialogProps {
  /** connections that will be written */
  count: number;
  what: 'marked' | 'shown';
  defaultPath: string;
  width: number;
  height: number;
  theme: Theme;
  onSubmit: (path: string, format: ExportFormat, force: boolean) => Promise<ExportResult>;
  onClose: () => void;
  exists?: (path: string) => boolean;
}

type Status = { kind: 'edit' } | { kind: 'confirm' } | { kind: 'busy' } | { kind: 'done'; r: ExportResult } | { kind: 'error'; message: string };

export function ExportDialog(props: ExportDialogProps) {
  const { width, height, theme } = props;
  const [line, setLine] = useState<LineState>({ text: props.defaultPath, pos: props.defaultPath.length });
  const [fmt, setFmt] = useState(0);
  const [status, setStatus] = useState<Status>({ kind: 'edit' });
  const exists = props.exists ?? existsSync;
  const live = useLive({ line, status });
  const setStatusL = (st: Status): void => {
    live.current.status = st;
    setStatus(st);
  };

  const submit = (force: boolean): void => {
    const path = live.current.line.text.trim();
    if (path === '') {
      setStatusL({ kind: 'error', message: 'give a file path' });
      return;
    }
    if (!force && exists(path)) {
      setStatusL({ kind: 'confirm' });
      return;
    }
    setStatusL({ kind: 'busy' });
    props.onSubmit(path, EXPORT_FORMATS[fmt]!, force).then(
      (r) => setStatusL({ kind: 'done', r }),
      (e: unknown) => setStatusL({ kind: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  };

  useKeys('export', (token, action) => {
    const { line, status } = live.current;
    if (status.kind === 'busy') return;
    if (status.kind === 'done') {
      if (action === 'accept' || action === 'cancel') props.onClose();
      return;
    }
    if (action === 'cancel') return props.onClose();
    if (action === 'accept') return submit(status.kind === 'confirm');
    if (action === 'nextField') {
      setFmt((f) => (f + 1) % EXPORT_FORMATS.length);
      return;
    }
    const next = editLine(line, token);
    if (next) {
      live.current.line = next;
      setLine(next);
      if (status.kind !== 'edit') setStatusL({ kind: 'edit' });
    }
  });

  const cur = theme.ascii ? '_' : '▏';
  const path = stripControls(line.text.slice(0, line.pos)) + cur + stripControls(line.text.slice(line.pos));
  const formats = EXPORT_FORMATS.map((f, k) => (k === fmt ? `[${f === 'auto' ? 'auto: from the extension' : f}]` : f)).join(' ');
  let msg = '';
  let color: string | undefined;
  switch (status.kind) {
    case 'edit': msg = 'Enter write  Tab change format  Esc cancel'; break;
    case 'confirm': msg = `${theme.g.err} ${line.text} exists: Enter again to overwrite it, or edit the path`; color = theme.warn; break;
    case 'busy': msg = 'writing...'; break;
    case 'done': msg = `wrote ${status.r.connections} connection(s), ${status.r.packets} packet(s) to ${status.r.path}  (Enter/Esc close)`; color = theme.accent; break;
    case 'error': msg = `${theme.g.err} ${status.message}`; color = theme.error; break;
  }
  const lines = [
    `Export ${props.count} ${props.what} connection(s)`,
    '',
    `path:   ${path}`,
    `format: ${formats}`,
    '',
  ];
  const pad = Math.max(0, height - lines.length - 2);
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((l, k) => <Line key={k} text={fit(l, width)} bold={k === 0} />)}
      <Line text={fit(stripControls(msg), width)} color={color} bold={status.kind === 'error' || status.kind === 'confirm'} />
      {Array.from({ length: pad }, (_, k) => <Line key={`p${k}`} text="" />)}
      <StatusBar left="export" hints="pcap/pcapng keep the packets; csv/ndjson/zeek/ecs write one row per connection" width={width} theme={theme} />
    </Box>
  );
}
