/**
 * The findings of the loaded connections, most severe first, one line each; under them the
 * selected finding's cause, who can act and what to do. Enter filters the connection list to the
 * finding's connections. Shown first when a load ends with a warn or error finding.
 */
import { Box } from 'ink';
import { useMemo, useState, type ReactElement } from 'react';
import type { Finding } from '../../analysis/finding-types.js';
import { useKeys } from '../hooks/use-keys.js';
import { useLive } from '../hooks/use-live.js';
import { keysOf } from '../keys.js';
import type { Theme } from '../theme.js';
import { Line } from '../components/Line.js';
import { StatusBar } from '../components/StatusBar.js';
import { findingDetail, findingRow, severityCounts } from '../view/findings.js';
import { clampNav, moveNav, type Nav } from '../view/nav.js';
import { fit } from '../view/text.js';

export interface FindingsProps {
  findings: readonly Finding[];
  /** connections they cover */
  total: number;
  width: number;
  height: number;
  theme: Theme;
  /** list the connections of a finding (its filter expression) */
  onFilter: (expr: string) => void;
  onBack: () => void;
  onHelp: () => void;
  onQuit: () => void;
}

export function Findings({ findings, total, width, height, theme, onFilter, onBack, onHelp, onQuit }: FindingsProps) {
  // title, the list, a rule, the pane (at least 6 lines when there is room), the status bar
  const body = Math.max(1, height - 3);
  const listH = Math.max(1, Math.min(findings.length, body > 7 ? body - 6 : body));
  const [navState, setNav] = useState<Nav>({ cursor: 0, offset: 0 });
  const nav = clampNav(navState, findings.length, listH);
  const live = useLive(nav);
  const setNavL = (n: Nav): void => {
    live.current = n;
    setNav(n);
  };
  useKeys('findings', (_t, action) => {
    const nav = live.current;
    if (action === 'back') return onBack();
    if (action === 'quit') return onQuit();
    if (action === 'help') return onHelp();
    if (action === 'open') {
      const f = findings[nav.cursor];
      if (f) onFilter(f.filter);
      return;
    }
    if (action) setNavL(moveNav(nav, action, findings.length, listH));
  });
  const selected = findings[nav.cursor];
  const detail = useMemo(() => (selected ? findingDetail(selected, width) : []), [selected, width]);
  const colour = (f: Finding): string | undefined => (f.severity === 'error' ? theme.error : f.severity === 'warn' ? theme.warn : undefined);

  const out: ReactElement[] = [
    <Line key="title" text={fit(`findings of ${total} connections, most severe first: ${severityCounts(findings)}`, width)} bold color={theme.accent} />,
  ];
  if (!findings.length) out.push(<Line key="none" text={fit('  no connection', width)} />);
  for (let k = nav.offset; k < Math.min(findings.length, nav.offset + listH); k++) {
    const f = findings[k]!;
    const sel = k === nav.cursor;
    out.push(<Line key={`f${k}`} text={findingRow(f, width, sel ? theme.g.sel : ' ')} color={colour(f)} bold={sel} inverse={sel && theme.inverse} />);
  }
  out.push(<Line key="rule" text={fit(theme.g.hline.repeat(width), width)} dim={theme.dim} />);
  const room = Math.max(0, height - 1 - out.length);
  detail.slice(0, room).forEach((l, k) => out.push(<Line key={`d${k}`} text={l} />));
  while (out.length < height - 1) out.push(<Line key={`p${out.length}`} text="" />);
  const a = theme.ascii;
  return (
    <Box flexDirection="column" width={width}>
      {out}
      <StatusBar left={`finding ${findings.length ? nav.cursor + 1 : 0}/${findings.length}`} hints={`${keysOf('down', 'findings', a)} move  Enter: its connections  Esc: the list  ? help  q quit`} width={width} theme={theme} />
    </Box>
  );
}
