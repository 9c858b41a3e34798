import assert from 'node:assert/strict';
import { definedAbbreviations } from '../../../src/core/citations/abbreviations';

const found = (text: string) => definedAbbreviations(text).map(a => [a.short, a.long, a.shortTerms, a.longTerms]);

describe('abbreviations a passage defines', () => {
  it('finds the long form before a bracketed short form, letter by letter, plurals and hyphens included', () => {
    assert.deepEqual(found('Bone marrow-derived mesenchymal stem cells (MSCs) were used.'), [
      ['MSC', 'mesenchymal stem cells', ['msc'], ['mesenchym', 'stem', 'cell']],
    ]);
    assert.deepEqual(found('The Intergovernmental Panel on Climate Change (IPCC) said so.'), [
      ['IPCC', 'Intergovernmental Panel on Climate Change', ['ipcc'], ['intergovernment', 'panel', 'climat', 'chang']],
    ]);
    assert.deepEqual(found('Levels of interleukin 6 (IL-6) rose; Server-Sent Events (SSE) stream.'), [
      ['IL-6', 'interleukin 6', ['il', '6'], ['interleukin', '6']],
      ['SSE', 'Server-Sent Events', ['sse'], ['server', 'sent', 'event']],
    ]);
  });

  it('finds none where the brackets hold a year, a word, a figure or letters the words before do not spell', () => {
    assert.deepEqual(
      found('It rose (1990) and fell (see above) as noted (Fig. 2) for carbon dioxide (CO2) and (NaN).'),
      [],
    );
    assert.deepEqual(found('Call max(MAX) or use the (ABC) here.'), []);
  });

  it('finds whether a text uses the short form: as a word, in its case, singular or plural', () => {
    const [msc] = definedAbbreviations('mesenchymal stem cells (MSCs)');
    assert.deepEqual(
      ['MSCs divide.', 'One MSC divides.', 'msc divides.', 'MSCX divides.'].map(t => msc?.uses.test(t)),
      [true, true, false, false],
    );
  });

  it('finds each short form once', () => {
    assert.equal(definedAbbreviations('Total solar irradiance (TSI) and total solar irradiance (TSI).').length, 1);
  });
});
