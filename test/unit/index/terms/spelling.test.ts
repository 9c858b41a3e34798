import assert from 'node:assert/strict';
import { americanSpelling } from '../../../../src/index/terms/spelling';
import { stemOf, tokenize } from '../../../../src/index/terms/tokenizer';

describe('British and American spellings', () => {
  it('spells a British word the American way', () => {
    const pairs: [string, string][] = [
      ['colour', 'color'],
      ['behavioural', 'behavioral'],
      ['tumours', 'tumors'],
      ['randomised', 'randomized'],
      ['organisations', 'organizations'],
      ['characterising', 'characterizing'],
      ['categorised', 'categorized'],
      ['recognisable', 'recognizable'],
      ['analysed', 'analyzed'],
      ['paralysing', 'paralyzing'],
      ['centre', 'center'],
      ['centred', 'centered'],
      ['centring', 'centering'],
      ['kilometres', 'kilometers'],
      ['fibre', 'fiber'],
      ['haemoglobin', 'hemoglobin'],
      ['leukaemia', 'leukemia'],
      ['glycaemic', 'glycemic'],
      ['paediatric', 'pediatric'],
      ['oesophageal', 'esophageal'],
      ['lymphoedema', 'lymphedema'],
      ['oestrogen', 'estrogen'],
      ['foetal', 'fetal'],
      ['diarrhoea', 'diarrhea'],
      ['sulphate', 'sulfate'],
      ['anaesthetised', 'anesthetized'],
      ['vapourised', 'vaporized'],
      ['discoloured', 'discolored'],
      ['unfavourable', 'unfavorable'],
      ['practised', 'practiced'],
      ['programme', 'program'],
      ['catalogued', 'cataloged'],
      ['defence', 'defense'],
      ['ageing', 'aging'],
      ['greyscale', 'grayscale'],
      ['manoeuvre', 'maneuver'],
      ['outmanoeuvred', 'outmaneuvered'],
    ];
    assert.deepEqual(
      pairs.map(([british]) => [british, americanSpelling(british)]),
      pairs,
    );
  });

  it('gives every word of a family one stem in either spelling', () => {
    const families = [
      ['recognise', 'recognised', 'recognising', 'recognize', 'recognized'],
      ['catalogue', 'catalogues', 'cataloguing', 'catalog', 'catalogs', 'cataloging'],
      ['manoeuvre', 'manoeuvres', 'manoeuvred', 'maneuver', 'maneuvers', 'maneuvered'],
      ['grey', 'greyed', 'greying', 'gray', 'grayed', 'graying'],
      ['vapourise', 'vapourisation', 'vaporize', 'vaporization'],
      ['memoise', 'memoised', 'memoisation', 'memoize', 'memoized', 'memoization'],
      ['criticise', 'criticised', 'criticize', 'criticized'],
      ['ostracise', 'ostracised', 'ostracize', 'ostracized'],
      ['fuelled', 'fuelling', 'fueled', 'fueling'],
      ['licence', 'licenced', 'licencing', 'license', 'licensed', 'licensing'],
      ['judgement', 'judgements', 'judgment', 'judgments'],
      ['centrepiece', 'centerpiece'],
      ['palaeoclimate', 'paleoclimate'],
    ];
    for (const family of families)
      assert.deepEqual(new Set(family.map(stemOf)).size, 1, `${family.join(' ')}: ${family.map(stemOf).join(' ')}`);
  });

  it('leaves words alone whose letters only look like a British spelling', () => {
    const words = [
      'otherwise',
      'precise',
      'exercise',
      'advised',
      'revise',
      'surprising',
      'promise',
      'uncompromising',
      'unpromising',
      'surmise',
      'expertise',
      'premises',
      'franchise',
      'disenfranchisement',
      'paradise',
      'raise',
      'praised',
      'noise',
      'cruise',
      'disguise',
      'rise',
      'arising',
      'sunrise',
      'enterprise',
      'treatise',
      'crises',
      'basis',
      'analysis',
      'four',
      'hour',
      'tour',
      'contour',
      'flourish',
      'humorous',
      'laboratory',
      'academic',
      'acre',
      'massacre',
      'genre',
      'color',
      'organize',
      'cheque',
      'tyre',
      'noise',
      'porpoise',
      'concise',
      'labelled',
    ];
    assert.deepEqual(words.map(americanSpelling), words);
  });

  it('gives both spellings one term, in text and in code', () => {
    assert.deepEqual(
      tokenize('The tumour was randomised; haemoglobin fell.'),
      tokenize('The tumor was randomized; hemoglobin fell.'),
    );
    // an identifier's pieces too; its joined form stays as written
    assert.deepEqual(tokenize('normaliseColour(centre)'), ['normal', 'color', 'normalisecolour', 'center']);
    assert.deepEqual(tokenize('normalizeColor(center)'), ['normal', 'color', 'normalizecolor', 'center']);
  });
});
