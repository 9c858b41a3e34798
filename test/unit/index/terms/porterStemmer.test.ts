import assert from 'node:assert/strict';
import { porterStem } from '../../../../src/index/terms/porterStemmer';

describe('porterStem', () => {
  // Pairs from Porter's published vocabulary/output lists.
  const cases: [string, string][] = [
    ['caresses', 'caress'],
    ['ponies', 'poni'],
    ['ties', 'ti'],
    ['caress', 'caress'],
    ['cats', 'cat'],
    ['feed', 'feed'],
    ['agreed', 'agre'],
    ['plastered', 'plaster'],
    ['motoring', 'motor'],
    ['sing', 'sing'],
    ['conflated', 'conflat'],
    ['troubled', 'troubl'],
    ['sized', 'size'],
    ['hopping', 'hop'],
    ['falling', 'fall'],
    ['hissing', 'hiss'],
    ['filing', 'file'],
    ['happy', 'happi'],
    ['relational', 'relat'],
    ['conditional', 'condit'],
    ['valenci', 'valenc'],
    ['digitizer', 'digit'],
    ['generalization', 'gener'],
    ['electrical', 'electr'],
    ['hopeful', 'hope'],
    ['goodness', 'good'],
    ['revival', 'reviv'],
    ['adoption', 'adopt'],
    ['controll', 'control'],
    ['roll', 'roll'],
    ['generate', 'gener'],
    ['iterable', 'iter'],
    ['connections', 'connect'],
  ];
  for (const [word, stem] of cases) {
    it(`${word} → ${stem}`, () => assert.equal(porterStem(word), stem));
  }

  it('leaves short words, digits and non-ASCII words alone', () => {
    assert.equal(porterStem('is'), 'is');
    assert.equal(porterStem('256'), '256');
    assert.equal(porterStem('größen'), 'größen');
  });
});
