// Generation reaches pods only through the narrow interface it defines (generation/remote/pod-link.ts,
// implemented structurally by pods/pod-links.ts and wired in studio.ts): neither capability
// imports the other, so the path of a prompt no longer runs generation → pods → back.
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../helpers/studio';
import { importGraph } from '../../lint/import-graph';

describe('generation ↔ pods', () => {
  test('no file of either capability imports the other', () => {
    const crossing = [...importGraph(REPO_ROOT)].flatMap(([from, deps]) =>
      [...deps]
        .filter((to) => (from.startsWith('src-main/pods/') && to.startsWith('src-main/generation/')) || (from.startsWith('src-main/generation/') && to.startsWith('src-main/pods/')))
        .map((to) => `${from} -> ${to}`),
    );
    expect(crossing).toEqual([]);
  });
});
