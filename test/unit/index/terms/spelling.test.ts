import assert from 'node:assert/strict';
import { americanSpelling } from '../../../../src/index/terms/spelling';
import { tokenize } from '../../../../src/index/terms/tokenizer';

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
      ['analysed', 'analyzed'],
      ['paralysing', 'paralyzing'],
      ['centre', 'center'],
      ['centred', 'centered'],
      ['kilometres', 'kilometers'],
      ['fibre', 'fiber'],
      ['haemoglobin', 'hemoglobin'],
      ['leukaemia', 'leukemia'],
      ['paediatric', 'pediatric'],
      ['oesophageal', 'esophageal'],
      ['oestrogen', 'estrogen'],
      ['foetal', 'fetal'],
      ['diarrhoea', 'diarrhea'],
      ['sulphate', 'sulfate'],
      ['anaesthetised', 'anesthetized'],
      ['practised', 'practiced'],
      ['programme', 'program'],
      ['catalogue', 'catalog'],
      ['defence', 'defense'],
      ['ageing', 'aging'],
      ['grey', 'gray'],
      ['manoeuvring', 'maneuvering'],
    ];
    assert.deepEqual(
      pairs.map(([british]) => [british, americanSpelling(british)]),
      pairs,
    );
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
      'expertise',
      'premises',
      'franchise',
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
      'humorous',
      'laboratory',
      'acre',
      'massacre',
      'genre',
      'color',
      'organize',
      'cheque',
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
