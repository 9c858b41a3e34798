import assert from 'node:assert/strict';
import { makesStream } from '../../../../src/index/documents/pdfParser';

describe('PDF parser', () => {
  it('finds where pdf.js would make a stream: a dictionary’s >>, white space and comments, then the keyword', () => {
    const streams = [
      '<< /Length 3 >>\nstream\n',
      '<< >> % a comment\r stream\r\n',
      '<< >>stream',
      '[<< >>\0\t\f stream/',
      // read from the second >>, or from the one within the comment
      '>>>stream',
      '<< >>% >> %\nstream',
      // a string holding it: pdf.js may start reading within the string
      '(text >> stream)',
    ];
    const none = ['<< >> endstream', '<< >> streams', '<< >>% stream', '<< >> x stream', '> > stream', ''];
    for (const text of streams) assert.equal(makesStream(text), true, JSON.stringify(text));
    for (const text of none) assert.equal(makesStream(text), false, JSON.stringify(text));
  });
});
