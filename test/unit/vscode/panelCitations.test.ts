import assert from 'node:assert/strict';
import type { Citation } from '../../../src/core/events';
import type { Passage } from '../../../src/core/passage';
import { toCitationView } from '../../../src/vscode/panelCitations';

describe('toCitationView', () => {
  const passage: Passage = {
    id: 'docs/configuration.md:43-52',
    path: 'docs/configuration.md',
    location: '/ws/docs/configuration.md',
    startLine: 43,
    endLine: 52,
    title: 'Configuration > Wheels; Configuration > Flux capacitor',
    text: [
      '## Wheels',
      '',
      'The wheels fold flat for flight mode.',
      '',
      '## Flux capacitor',
      '',
      'The flux capacitor must be charged before every jump.',
      '',
      'Set `flux.level` to 88.',
      '',
    ].join('\n'),
    score: 1,
  };
  const cite = (startLine: number, endLine: number): Citation => ({
    n: 1,
    ordinal: 0,
    passage,
    claim: 'It must be charged.',
    startLine,
    endLine,
    support: 'partial',
  });

  it('names the heading the cited lines are under, not the passage’s whole trail', () => {
    const view = toCitationView(cite(49, 49));
    assert.equal(view.heading, 'Flux capacitor');
    assert.deepEqual(
      { ...view, excerpt: undefined },
      {
        ordinal: 0,
        n: 1,
        path: 'docs/configuration.md',
        startLine: 49,
        endLine: 49,
        claim: 'It must be charged.',
        heading: 'Flux capacitor',
        support: 'partial',
        excerpt: undefined,
      },
    );
    assert.equal(toCitationView(cite(45, 45)).heading, 'Wheels');
  });

  it('names none where the passage has no heading', () => {
    assert.equal(toCitationView({ ...cite(43, 43), passage: { ...passage, title: undefined } }).heading, undefined);
  });
});
