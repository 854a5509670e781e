import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { ConfirmPrompt, TypeToConfirm } from '../../src/render/ink/prompts.js';

const strip = (text = '') => text.replace(/\u001b\[[0-9;]*m/g, '');
const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Renders a prompt, writes each chunk immediately after the other (no render in between), settles. */
async function answer(prompt: (onAnswer: (value: boolean) => void) => React.ReactElement, chunks: string[]) {
  const onAnswer = vi.fn();
  const { stdin, lastFrame } = render(prompt(onAnswer));
  await tick();
  for (const chunk of chunks) stdin.write(chunk);
  await vi.waitFor(() => expect(onAnswer).toHaveBeenCalled());
  await tick();
  return { onAnswer, frame: strip(lastFrame()) };
}

const typeToConfirm = (onAnswer: (value: boolean) => void) => <TypeToConfirm alias="main" links={['legacy']} onAnswer={onAnswer} />;
const confirm = (onAnswer: (value: boolean) => void) => <ConfirmPrompt question="Apply these changes?" onAnswer={onAnswer} />;

describe('prompts decide on the text they show, however fast keys arrive', () => {
  it.each([
    ['the alias and Enter in one chunk', ['main\r']],
    ['the alias, then Enter, before a render', ['main', '\r']],
    ['one key per chunk, before any render', ['m', 'a', 'i', 'n', '\r']],
    ['a typo corrected with backspace in the same burst', ['mian\u007f\u007f\u007fain\r']],
  ])('a destroy proceeds on %s', async (_, chunks) => {
    const { onAnswer, frame } = await answer(typeToConfirm, chunks);
    expect(onAnswer).toHaveBeenCalledTimes(1);
    expect(onAnswer).toHaveBeenCalledWith(true);
    expect(frame).toContain('To proceed, type "main": main');
    expect(frame).not.toContain('Not applied');
  });

  it('a wrong alias typed fast is refused and named as typed', async () => {
    const { onAnswer, frame } = await answer(typeToConfirm, ['ma', 'in2', '\r']);
    expect(onAnswer).toHaveBeenCalledWith(false);
    expect(frame).toContain('"main2" is not "main". Not applied.');
  });

  it('keys after the Enter are not part of the answer', async () => {
    const { onAnswer, frame } = await answer(typeToConfirm, ['main\rxyz\r']);
    expect(onAnswer).toHaveBeenCalledTimes(1);
    expect(onAnswer).toHaveBeenCalledWith(true);
    expect(frame).not.toContain('xyz');
  });

  it.each([
    ['y and Enter in one chunk', ['y\r']],
    ['y, then Enter, before a render', ['y', '\r']],
    ['yes one key per chunk', ['y', 'e', 's', '\r']],
  ])('a yes/no prompt applies on %s', async (_, chunks) => {
    const { onAnswer, frame } = await answer(confirm, chunks);
    expect(onAnswer).toHaveBeenCalledWith(true);
    expect(frame).toContain('Apply these changes? [y/N] y');
    expect(frame).not.toContain('Not applied');
  });

  it.each([
    ['the typed prompt', typeToConfirm],
    ['the yes/no prompt', confirm],
  ])('Ctrl-C at %s cancels and says so', async (_, prompt) => {
    const { onAnswer, frame } = await answer(prompt, ['ma', '\u0003']);
    expect(onAnswer).toHaveBeenCalledTimes(1);
    expect(onAnswer).toHaveBeenCalledWith(false);
    expect(frame).toContain('Cancelled. Not applied.');
    expect(frame).not.toContain('is not');
  });
});
