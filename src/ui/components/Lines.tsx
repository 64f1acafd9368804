/**
 * A window of `height` rows out of `count`, starting at row `first`, drawn as text blocks of
 * BLOCK rows aligned on absolute row numbers, with the selected row laid over them.
 *
 * Why: Ink 6 keeps the size of every distinct text it has measured, with no limit (ink issue
 * #986). A text per row costs a layout node and a cache entry a row; a text per window put a new
 * window of ~2.7 KB in the cache at every key that scrolled it by a row, as `j` held down does
 * (2000 `j` at 1 M connections: +5 MB of V8 heap, heap snapshots). Blocks aligned on row numbers
 * are the same text whatever the scroll offset: scrolling by a row reuses them, and a block
 * enters the cache only when it first comes into view (the window shows the blocks through a
 * clipped box, shifted up by the offset into the first block). The selected row is not part of
 * a block but a one-row text laid over it (absolute position), so that moving the cursor leaves
 * the blocks as they were.
 */
import { Box, Text } from 'ink';

/** rows per block */
export const BLOCK = 8;

export interface Selected {
  /** its row number */
  row: number;
  /** the row as selected (with its marker), cut to the width already */
  text: string;
  inverse: boolean;
}

export interface LinesProps {
  /** the text of row k (0 <= k < count), unselected, cut to the width */
  rowText: (k: number) => string;
  count: number;
  first: number;
  height: number;
  width: number;
  selected?: Selected | undefined;
  /** shown on the first line when there is no row */
  empty?: string;
}

export function Lines({ rowText, count, first, height, width, selected, empty }: LinesProps) {
  const blocks: { at: number; text: string }[] = [];
  const start = first - (first % BLOCK);
  for (let b = start; b < Math.min(count, first + height); b += BLOCK) {
    const rows: string[] = [];
    for (let k = b; k < Math.min(count, b + BLOCK); k++) rows.push(rowText(k) || ' ');
    blocks.push({ at: b, text: rows.join('\n') });
  }
  const over = selected && selected.row >= first && selected.row < first + height ? selected : undefined;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {count === 0 ? <Text>{empty || ' '}</Text> : (
        <Box flexDirection="column" marginTop={start - first} flexShrink={0}>
          {blocks.map((b) => <Text key={b.at}>{b.text}</Text>)}
        </Box>
      )}
      {over && (
        <Box position="absolute" marginTop={over.row - first} width={width}>
          <Text inverse={over.inverse}>{over.text.padEnd(width)}</Text>
        </Box>
      )}
    </Box>
  );
}
