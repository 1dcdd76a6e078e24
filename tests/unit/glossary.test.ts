/** The studies' glossary: every study explains its terms, and every explanation is used. */
import { describe, expect, it } from 'vitest';
import { GLOSSARY } from '../../src/studies/glossary.ts';
import type { Term } from '../../src/studies/glossary.ts';
import { STUDIES } from '../../src/studies/index.ts';

describe('the glossary under each claim', () => {
  it('gives every study at least one term, each once', () => {
    for (const s of STUDIES) {
      expect(s.terms.length, s.id).toBeGreaterThan(0);
      expect(new Set(s.terms).size, s.id).toBe(s.terms.length);
    }
  });

  it('has no entry that no study lists, and no empty explanation', () => {
    const used = new Set<Term>(STUDIES.flatMap((s) => s.terms));
    for (const [term, meaning] of Object.entries(GLOSSARY)) {
      expect(used.has(term as Term), term).toBe(true);
      expect(meaning.length, term).toBeGreaterThan(40);
    }
  });
});
