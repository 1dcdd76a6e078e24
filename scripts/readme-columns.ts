/**
 * Writes the README's table of per-run columns from their definitions (src/core/columns.ts),
 * between the `<!-- columns:start -->` and `<!-- columns:end -->` markers:
 * `npx tsx scripts/readme-columns.ts`. tests/io/columns.test.ts fails while the two differ.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomically } from '../src/io/text-file.ts';
import { columnsMarkdown } from '../src/core/columns.ts';

export const START = '<!-- columns:start -->';
export const END = '<!-- columns:end -->';

/** The README text with the generated table in place. */
export function withColumnsTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, a + START.length)}\n${columnsMarkdown()}\n${readme.slice(b)}`;
}

if (process.argv[1]?.endsWith('readme-columns.ts')) {
  const text = readFileSync('README.md', 'utf8');
  const next = withColumnsTable(text);
  // Whole or not at all: a half-written README is worse than a stale table.
  if (next !== text) await writeFileAtomically('README.md', [next]);
  process.stdout.write(next !== text ? 'README.md: columns table updated\n' : 'README.md: columns table up to date\n');
}
