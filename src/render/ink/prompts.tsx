import { Box, Text, useInput } from 'ink';
import { useRef, useState } from 'react';

/** How a line prompt ended: a submitted line, or cancelled (Esc, Ctrl-C). */
export type LineAnswer = { cancelled: false; line: string } | { cancelled: true };

/**
 * A line of typed text, submitted with Enter. Keys can arrive faster than Ink renders (a paste,
 * tmux send-keys, "main" then Enter in one burst), so the text lives in a ref that every key
 * updates in order, and the answer is decided on that same text: never on a value captured by an
 * earlier render. Each chunk is read character by character, so an Enter inside it ends the line.
 */
function useLineInput(onSubmit: (answer: LineAnswer) => void): { typed: string; answer: LineAnswer | null } {
  const typed = useRef('');
  const answer = useRef<LineAnswer | null>(null);
  const [, setVersion] = useState(0);
  const rerender = () => setVersion((v) => v + 1);
  const finish = (result: LineAnswer) => {
    answer.current = result;
    rerender();
    onSubmit(result);
  };
  useInput((input, key) => {
    if (answer.current) return;
    if (key.escape || (key.ctrl && input === 'c')) return finish({ cancelled: true });
    if (key.return) return finish({ cancelled: false, line: typed.current });
    if (key.backspace || key.delete) {
      typed.current = typed.current.slice(0, -1);
      return rerender();
    }
    if (key.ctrl || key.meta) return;
    for (const character of input) {
      if (character === '\r' || character === '\n') return finish({ cancelled: false, line: typed.current });
      if (character === '\u0003') return finish({ cancelled: true });
      if (character === '\u007f' || character === '\b') typed.current = typed.current.slice(0, -1);
      else if (!/[\u0000-\u001f\u007f-\u009f]/.test(character)) typed.current += character;
    }
    rerender();
  });
  return { typed: typed.current, answer: answer.current };
}

function Cursor({ answer }: { answer: LineAnswer | null }) {
  return answer ? null : <Text inverse> </Text>;
}

/** A yes/no question that defaults to no: only "yes" (or y) proceeds. */
export function ConfirmPrompt({ question, onAnswer }: { question: string; onAnswer: (yes: boolean) => void }) {
  const isYes = (answer: LineAnswer) => !answer.cancelled && ['y', 'yes'].includes(answer.line.trim().toLowerCase());
  const { typed, answer } = useLineInput((result) => onAnswer(isYes(result)));
  return (
    <Box flexDirection="column">
      <Text>
        {question} <Text dimColor>[y/N]</Text> {typed}
        <Cursor answer={answer} />
      </Text>
      {answer?.cancelled ? <Text>Cancelled. Not applied.</Text> : null}
      {answer && !answer.cancelled && !isYes(answer) ? <Text>Not applied.</Text> : null}
    </Box>
  );
}

/** Destroying links asks for the database alias typed out, as `heroku pg:links:destroy` asks for the app. */
export function TypeToConfirm({ alias, links, onAnswer }: { alias: string; links: string[]; onAnswer: (confirmed: boolean) => void }) {
  const { typed, answer } = useLineInput((result) => onAnswer(!result.cancelled && result.line.trim() === alias));
  return (
    <Box flexDirection="column">
      <Text color="red"> ! WARNING: Destructive action</Text>
      <Text color="red">{` ! This destroys ${links.map((l) => `link ${l}`).join(', ')} in database ${alias}, with every foreign table in ${links.length === 1 ? 'it' : 'them'}.`}</Text>
      <Text color="red"> ! Views or code written against these schemas will stop working.</Text>
      <Text>
        {` ! To proceed, type "${alias}": `}
        {typed}
        <Cursor answer={answer} />
      </Text>
      {answer?.cancelled ? <Text>Cancelled. Not applied.</Text> : null}
      {answer && !answer.cancelled && answer.line.trim() !== alias ? (
        <Text>{`"${answer.line.trim()}" is not "${alias}". Not applied.`}</Text>
      ) : null}
    </Box>
  );
}
