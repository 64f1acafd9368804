/**
 * The ladder diagram of one connection: header (5-tuple, conn_state, history, teardown,
 * anomalies), then two lines per row (arrow, explanation). `n`/`N` jump between anomaly rows,
 * Enter opens the packet under the cursor.
 */
import { Box } from 'ink';
import { useMemo, useState, type ReactElement } from 'react';
import type { Dataset } from '../../flows/dataset.js';
import { useKeys } from '../hooks/use-keys.js';
import { useLive } from '../hooks/use-live.js';
import type { Theme } from '../theme.js';
import { Line } from '../components/Line.js';
import { StatusBar } from '../components/StatusBar.js';
import { anomalyRows, asciiSafe, buildTimeline, ladderLine, ladderNote, ladderTitle, nextAnomaly } from '../view/ladder.js';
import { clampNav, jumpNav, moveNav, type Nav } from '../view/nav.js';
import { fit } from '../view/text.js';

export interface TimelineProps {
  ds: Dataset;
  conn: number;
  width: number;
  height: number;
  theme: Theme;
  /** packet index within the connection and its packet-table row */
  onOpenPacket: (k: number, row: number) => void;
  onBack: () => void;
  onHelp: () => void;
  onExport?: () => void;
  onQuit: () => void;
}

const HEADER = 4; // three header lines + the column titles

export function Timeline({ ds, conn, width, height, theme, onOpenPacket, onBack, onHelp, onExport, onQuit }: TimelineProps) {
  const t = useMemo(() => buildTimeline(ds, conn), [ds, conn]);
  const rowsShown = Math.max(1, Math.floor((height - HEADER - 1) / 2));
  // open at the first anomaly, so the interesting packet is on screen at once
  const [navState, setNav] = useState<Nav>(() => {
    const a = anomalyRows(t);
    return clampNav({ cursor: a[0] ?? 0, offset: 0 }, t.rows.length, rowsShown);
  });
  const nav = clampNav(navState, t.rows.length, rowsShown);
  const live = useLive(nav);
  const setNavL = (n: Nav): void => {
    live.current = n;
    setNav(n);
  };
  const [msg, setMsg] = useState('');

  useKeys('timeline', (_token, action) => {
    const nav = live.current;
    switch (action) {
      case 'back': return onBack();
      case 'quit': return onQuit();
      case 'help': return onHelp();
      case 'export': return onExport?.();
      case 'open': {
        const r = t.rows[nav.cursor];
        if (r && r.kind === 'packet') onOpenPacket(r.k, ds.primaryRows(conn)[r.k]!);
        else setMsg('a firewall event has no packet bytes');
        return;
      }
      case 'nextAnomaly':
      case 'prevAnomaly': {
        const to = nextAnomaly(t, nav.cursor, action === 'nextAnomaly' ? 1 : -1);
        if (to < 0) setMsg('no anomaly in this connection');
        else {
          setMsg('');
          setNavL(jumpNav(nav, to, t.rows.length, rowsShown));
        }
        return;
      }
      default:
        if (action) {
          setMsg('');
          setNavL(moveNav(nav, action, t.rows.length, rowsShown));
        }
    }
  });

  const a = theme.ascii;
  const lines: ReactElement[] = [];
  for (let r = nav.offset; r < Math.min(t.rows.length, nav.offset + rowsShown); r++) {
    const row = t.rows[r]!;
    const sel = r === nav.cursor;
    let text = ladderLine(t, r, width, theme.g, a);
    if (sel) text = theme.g.sel + text.slice(1);
    const color = row.kind === 'fw' ? theme.fw : row.fromResp ? theme.server : theme.client;
    lines.push(<Line key={`a${r}`} text={text} color={color} inverse={sel && theme.inverse} bold={row.anomaly} />);
    lines.push(<Line key={`n${r}`} text={ladderNote(t, r, width, a)} dim={theme.dim} />);
  }
  while (lines.length < rowsShown * 2) lines.push(<Line key={`p${lines.length}`} text="" />);
  const nA = anomalyRows(t).length;
  const left = `row ${nav.cursor + 1}/${t.rows.length}${nA ? `  ${nA} anomaly row(s) marked !` : ''}${msg ? '  ' + msg : ''}`;
  return (
    <Box flexDirection="column" width={width}>
      {t.header.map((h, k) => <Line key={`h${k}`} text={fit(asciiSafe(h, a), width)} bold={k === 0} color={k === 2 && theme.color ? theme.warn : undefined} />)}
      <Line text={ladderTitle(t, width)} bold />
      {lines}
      <StatusBar left={left} hints="n/N next/prev anomaly  Enter packet  Esc back  e export  ? help  q quit" width={width} theme={theme} />
    </Box>
  );
}
