/**
 * The filter line under the list: the expression being typed (with a cursor), or the filter in
 * force; a bad expression adds a line with a text marker and the reason, in red where color is on.
 */
import { Box } from 'ink';
import type { Theme } from '../theme.js';
import { Line } from './Line.js';
import { fit } from '../view/text.js';
import { stripControls } from '../../text.js';

export interface FilterBarProps {
  editing: boolean;
  draft: string;
  /** cursor position in draft */
  pos: number;
  applied: string;
  error: string | undefined;
  pending: boolean;
  /** `12/345 shown, sort id` after the filter when not editing */
  counts?: string;
  width: number;
  theme: Theme;
}

export function FilterBar({ editing, draft, pos, applied, error, pending, counts, width, theme }: FilterBarProps) {
  const clean = stripControls(draft);
  let text: string;
  if (editing) {
    const shown = clean.slice(0, pos) + (theme.ascii ? '_' : '▏') + clean.slice(pos);
    text = `/ ${shown}${pending ? '   (fuzzy search: Enter runs it)' : ''}`;
  } else {
    const c = counts ? `${counts}  ` : '';
    text = applied ? `${c}filter: ${stripControls(applied)}` : `${c}filter: none`;
  }
  // keep the end of a long expression in view while typing
  const w = width;
  const line = [...text].length > w && editing ? '…' + [...text].slice(-(w - 1)).join('') : text;
  return (
    <Box flexDirection="column">
      <Line text={fit(line, w)} color={editing ? theme.accent : undefined} />
      {error !== undefined ? (
        <Line text={fit(`${theme.g.err} ${stripControls(error)}${applied ? ` (still applied: ${applied})` : ''}`, w)} color={theme.error} bold />
      ) : null}
    </Box>
  );
}
