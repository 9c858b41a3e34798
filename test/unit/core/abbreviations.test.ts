import assert from 'node:assert/strict';
import { definedAbbreviations } from '../../../src/core/citations/abbreviations';

const found = (text: string) => definedAbbreviations(text).map(a => [a.short, a.long]);

describe('abbreviations a passage defines', () => {
  it('finds the long form before a bracketed short form, letter by letter, plurals and hyphens included', () => {
    assert.deepEqual(found('Bone marrow-derived mesenchymal stem cells (MSCs) were used.'), [
      ['MSC', 'mesenchymal stem cells'],
    ]);
    assert.deepEqual(found('The Intergovernmental Panel on Climate Change (IPCC) said so.'), [
      ['IPCC', 'Intergovernmental Panel on Climate Change'],
    ]);
    assert.deepEqual(found('Levels of interleukin 6 (IL-6) rose; Server-Sent Events (SSE) stream.'), [
      ['IL-6', 'interleukin 6'],
      ['SSE', 'Server-Sent Events'],
    ]);
  });

  it('finds long names with their function words, emphasised terms and dashes', () => {
    assert.deepEqual(
      found(
        'The Centers for Disease Control and Prevention (CDC) and the **Retrieval-Augmented Generation** (RAG) ' +
          'method use the Kolmogorov–Smirnov (KS) test and the Institute of Electrical and Electronics Engineers (IEEE).',
      ),
      [
        ['CDC', 'Centers for Disease Control and Prevention'],
        ['RAG', 'Retrieval-Augmented Generation'],
        ['KS', 'Kolmogorov–Smirnov'],
        ['IEEE', 'Institute of Electrical and Electronics Engineers'],
      ],
    );
  });

  it('finds a long form in brackets after its short form when the brackets hold nothing else', () => {
    assert.deepEqual(found('Set a CSP (Content Security Policy) header. Use the API (see below).'), [
      ['CSP', 'Content Security Policy'],
    ]);
  });

  it('gives the terms of both forms, the short one singular and plural, as the index analyses them', () => {
    const [msc] = definedAbbreviations('mesenchymal stem cells (MSCs)');
    assert.deepEqual(
      [msc?.shortTerms, msc?.longTerms],
      [
        ['msc', 'ms', 'cs', 'mscs'],
        ['mesenchym', 'stem', 'cell'],
      ],
    );
  });

  it('takes the long form from the sentence that defines it, never across a sentence end or a blank line', () => {
    assert.deepEqual(found('It lowers high blood pressure. Monitoring (BPM) helps.'), []);
    assert.deepEqual(found('Stored at the Data Center.\n\nProcessing Results (DPR) follow.'), []);
  });

  it('finds none where the brackets hold a year, a word, a figure or letters the words before do not spell, nor in a call', () => {
    assert.deepEqual(found('It rose (1990) and fell (see above) as noted (Fig. 2) for carbon (CO2) and (NaN).'), []);
    assert.deepEqual(found('Call readBuffer(RB) or use the (ABC) here.'), []);
    assert.deepEqual(found('Entries that would otherwise live indefinitely (TTL) expire.'), []);
    assert.deepEqual(found('See [list](https://example.com/common-words "Updated list") (JSON) for words.'), []);
    assert.deepEqual(found('Files live in the `config` directory (CD).'), []);
  });

  it('finds a chemical or a measure whose number its long form does not spell, by its letters', () => {
    assert.deepEqual(
      found('Exposure to fine particulate matter (PM2.5) and carbon dioxide (CO2) rose; nitrogen oxides (NOx) fell.'),
      [
        ['PM2.5', 'particulate matter'],
        ['CO2', 'carbon dioxide'],
        ['NOx', 'nitrogen oxides'],
      ],
    );
    const [pm] = definedAbbreviations('fine particulate matter (PM2.5)');
    assert.deepEqual(
      ['PM2.5 rose.', 'PM2 rose.', 'PM2x5 rose.'].map(t => pm?.uses.test(t)),
      [true, false, false],
    );
    // the letters alone must still spell it, two of them at least
    assert.deepEqual(found('Levels of vitamin B (B12) and the protein (P53) fell.'), []);
  });

  it('keeps the long form whole when lower-casing a letter changes its length', () => {
    assert.deepEqual(found('Near İzmir, the Istanbul Technical University (ITU) met.'), [
      ['ITU', 'Istanbul Technical University'],
    ]);
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
