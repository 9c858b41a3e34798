// Draws the extension's Marketplace icon, media/icon.png (128×128 RGBA): an open book with lines of text on the
// left page and a quotation mark on the right, on a rounded navy square. Shapes are tested per pixel at 4×4
// samples for smooth edges, and the PNG is written by hand with zlib, so no image library is needed:
//   node scripts/makeIcon.mjs [out]
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;

const NAVY = [31, 58, 95];
const PAGE = [245, 247, 250];
const TEXT = [143, 166, 191];
const AMBER = [242, 177, 52];

const inRoundedSquare = (x, y, r) => {
  const cx = Math.min(Math.max(x, r), SIZE - r);
  const cy = Math.min(Math.max(y, r), SIZE - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

/** Inside a convex polygon given clockwise (y grows downwards). */
const inPolygon = (x, y, points) =>
  points.every(([x1, y1], i) => {
    const [x2, y2] = points[(i + 1) % points.length];
    return (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) >= 0;
  });

const leftPage = [
  [20, 38],
  [61, 45],
  [61, 100],
  [20, 93],
];
const rightPage = [
  [67, 45],
  [108, 38],
  [108, 93],
  [67, 100],
];

/** A line of text on the left page: a band that follows the page's slope. */
const onTextLine = (x, y) => {
  if (x < 27 || x > 55) return false;
  const slope = (45 - 38) / (61 - 20);
  return [55, 65, 75, 85].some((top, i) => {
    const end = i === 3 ? 45 : 55;
    const base = top + slope * (x - 20) - 7;
    return x <= end && y >= base && y <= base + 3.5;
  });
};

/** A closing quotation mark: two dots with tails curling down to the left. */
const onQuote = (x, y) =>
  [76, 93].some(cx => {
    const cy = 62;
    if ((x - cx) ** 2 + (y - cy) ** 2 <= 36) return true;
    // the tail: a wedge from the dot's right side down to a point below its left
    return inPolygon(x, y, [
      [cx + 1, cy],
      [cx + 6, cy + 1],
      [cx - 3, cy + 15],
    ]);
  });

function colourAt(x, y) {
  if (!inRoundedSquare(x, y, 26)) return undefined;
  if (inPolygon(x, y, leftPage)) return onTextLine(x, y) ? TEXT : PAGE;
  if (inPolygon(x, y, rightPage)) return onQuote(x, y) ? AMBER : PAGE;
  return NAVY;
}

/** RGBA rows, each averaged over SAMPLES² points (transparent outside the square). */
function draw() {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  for (let py = 0; py < SIZE; py++)
    for (let px = 0; px < SIZE; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++)
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = colourAt(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
          if (!c) continue;
          for (let k = 0; k < 3; k++) sum[k] += c[k];
          sum[3]++;
        }
      const o = (py * SIZE + px) * 4;
      const n = SAMPLES * SAMPLES;
      for (let k = 0; k < 3; k++) pixels[o + k] = sum[3] ? Math.round(sum[k] / sum[3]) : 0;
      pixels[o + 3] = Math.round((255 * sum[3]) / n);
    }
  return pixels;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG of RGBA pixels: 8 bits per channel, colour type 6, every row with filter 0 (none). */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? 'media/icon.png';
  writeFileSync(out, encodePng(SIZE, SIZE, draw()));
  console.log(`Wrote ${out} (${SIZE}×${SIZE}).`);
}
