import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { escapeInk } from '../../escape.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function Spinner() {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setFrame((f) => (f + 1) % FRAMES.length), 80);
    return () => clearInterval(timer);
  }, []);
  return <Text color="cyan">{FRAMES[frame]}</Text>;
}

export type ReadState = 'reading' | 'done' | 'error';

/** One spinner per database while its catalogs and remotes are read. */
export function IntrospectionStatus({ states }: { states: [string, ReadState][] }) {
  return (
    <Box flexDirection="column">
      {states.map(([alias, state]) => (
        <Text key={alias}>
          {state === 'reading' ? <Spinner /> : state === 'done' ? <Text color="green">✓</Text> : <Text color="red">✗</Text>} reading
          database {escapeInk(alias)}
        </Text>
      ))}
    </Box>
  );
}

export interface ApplyRow {
  alias: string;
  done: number;
  total: number | null;
  startedAt: number;
  outcome: string | null;
  failed: boolean;
}

/** Per database: statements done of total and time spent, then its outcome (already escaped text). */
export function ApplyProgress({ rows, now }: { rows: ApplyRow[]; now: number }) {
  return (
    <Box flexDirection="column">
      {rows.map((row) => (
        <Text key={row.alias}>
          {row.outcome === null ? <Spinner /> : row.failed ? <Text color="red">✗</Text> : <Text color="green">✓</Text>}{' '}
          {row.outcome ??
            `applying database ${escapeInk(row.alias)}: ${row.total === null ? 'locking and re-reading' : `${row.done}/${row.total} statements`}, ${((now - row.startedAt) / 1000).toFixed(1)}s`}
        </Text>
      ))}
    </Box>
  );
}
