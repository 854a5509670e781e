/** "1 link", "2 links": the one English plural rule datalinks needs. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
