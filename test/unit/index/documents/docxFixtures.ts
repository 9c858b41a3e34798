import { crc32, deflateRawSync } from 'node:zlib';

/** One block of a Word document: a heading of a level, a paragraph, or a table of rows of cells. */
export type DocxBlock = { heading: 1 | 2 | 3; text: string } | { text: string } | { table: string[][] };

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

const escaped = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const paragraph = (text: string, style?: string): string =>
  `<w:p>${style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${escaped(text)}</w:t></w:r></w:p>`;

function blockXml(block: DocxBlock): string {
  if ('table' in block)
    return `<w:tbl>${block.table.map(row => `<w:tr>${row.map(cell => `<w:tc>${paragraph(cell)}</w:tc>`).join('')}</w:tr>`).join('')}</w:tbl>`;
  return 'heading' in block ? paragraph(block.text, `Heading${block.heading}`) : paragraph(block.text);
}

/** A minimal .docx (the parts Word needs, heading styles named as Word names them) with these blocks. */
export function docxOf(blocks: readonly DocxBlock[]): Promise<Buffer> {
  return docxOfBody(blocks.map(blockXml).join(''));
}

/**
 * A minimal .docx whose body is this markup, with more relationships of the document (`<Relationship …/>`) and more
 * files (an image under `word/media/`), compressed as Word compresses.
 */
export function docxOfBody(
  body: string,
  more: { relationships?: string; files?: Record<string, Buffer> } = {},
): Promise<Buffer> {
  return Promise.resolve(zipOf(docxParts(body, more)));
}

/** The parts of the .docx docxOfBody makes, by name. */
export function docxParts(
  body: string,
  more: { relationships?: string; files?: Record<string, Buffer> } = {},
): Record<string, string | Buffer> {
  return {
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
      '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/_rels/document.xml.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
      (more.relationships ?? '') +
      '</Relationships>',
    'word/styles.xml':
      `<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="${W}">` +
      [1, 2, 3]
        .map(n => `<w:style w:type="paragraph" w:styleId="Heading${n}"><w:name w:val="heading ${n}"/></w:style>`)
        .join('') +
      '</w:styles>',
    'word/document.xml':
      `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"` +
      ` xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"` +
      ` xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>${body}</w:body></w:document>`,
    ...more.files,
  };
}

/**
 * A zip of these files, each deflated (as Word does) by Node's zlib: JSZip's deflate, in JavaScript, takes seconds
 * over the megabytes of markup or image some tests need.
 */
export function zipOf(files: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const bytes = Buffer.from(content);
    const path = Buffer.from(name, 'utf8');
    const deflated = deflateRawSync(bytes);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt32LE(crc32(bytes), 14);
    header.writeUInt32LE(deflated.length, 18);
    header.writeUInt32LE(bytes.length, 22);
    header.writeUInt16LE(path.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // version made by
    entry.writeUInt16LE(20, 6); // version needed
    header.copy(entry, 10, 8, 30); // method, time, date, crc, sizes, name length: as in the local header
    entry.writeUInt32LE(offset, 42);
    locals.push(header, path, deflated);
    central.push(entry, path);
    offset += header.length + path.length + deflated.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A handbook with nested headings and a table. */
export const HANDBOOK: readonly DocxBlock[] = [
  { heading: 1, text: 'Team handbook' },
  { text: 'How the data team works.' },
  { heading: 2, text: 'On-call' },
  { text: 'The on-call engineer rotates every Monday & answers pages within 15 minutes.' },
  { heading: 2, text: 'Pricing tiers' },
  {
    table: [
      ['Tier', 'Seats', 'Price'],
      ['Starter', '5', '$49'],
      ['Scale', '50', '$399'],
    ],
  },
];
