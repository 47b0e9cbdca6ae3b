// Draws the app's icons (public/icons/*.png) for the web app manifest:
//   npx tsx scripts/make-icons.ts
// A ranked list on the app's accent blue: three bars, longest first, the top
// one marked as the preferred answer. Shapes are signed-distance functions,
// antialiased by 4×4 supersampling, written as RGBA PNG with node:zlib (no
// canvas, no downloads).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

const ACCENT: Rgba = [0x21, 0x50, 0xb8, 255]; // --accent (src/ui/theme.css)
const WHITE: Rgba = [255, 255, 255, 255];
const MARK: Rgba = [0xf2, 0xa6, 0x5e, 255]; // --rrhf in the dark theme: warm, readable on blue

/** Signed distance to a rounded rectangle (centre cx,cy; half sizes hw,hh; corner r), in units of the icon. */
function roundedRect(
  x: number,
  y: number,
  cx: number,
  cy: number,
  hw: number,
  hh: number,
  r: number,
) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

interface Shape {
  colour: Rgba;
  inside: (x: number, y: number) => boolean;
}

/** The list glyph in a unit square, scaled by `s` about the centre (maskable icons keep to the safe zone). */
function glyph(s: number): Shape[] {
  const at = (v: number) => 0.5 + (v - 0.5) * s;
  const rows = [
    { y: 0.33, w: 0.44, colour: MARK },
    { y: 0.5, w: 0.34, colour: WHITE },
    { y: 0.67, w: 0.24, colour: WHITE },
  ];
  const shapes: Shape[] = [];
  for (const row of rows) {
    const dotX = at(0.27);
    const barLeft = at(0.37);
    const hh = 0.05 * s;
    shapes.push({
      colour: row.colour,
      inside: (x, y) => Math.hypot(x - dotX, y - at(row.y)) <= 0.055 * s,
    });
    shapes.push({
      colour: row.colour,
      inside: (x, y) =>
        roundedRect(x, y, barLeft + (row.w * s) / 2, at(row.y), (row.w * s) / 2, hh, hh) <= 0,
    });
  }
  return shapes;
}

function draw(size: number, shapes: Shape[]): Buffer {
  const SS = 4;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // Premultiplied sums over the subsamples: the topmost shape that covers each subsample.
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) / size;
          const y = (py + (sy + 0.5) / SS) / size;
          for (let i = shapes.length - 1; i >= 0; i--) {
            if (!shapes[i].inside(x, y)) continue;
            const c = shapes[i].colour;
            r += c[0];
            g += c[1];
            b += c[2];
            a += 255;
            break;
          }
        }
      }
      const o = (py * size + px) * 4;
      const n = SS * SS;
      rgba[o + 3] = Math.round(a / n);
      if (a > 0) {
        rgba[o] = Math.round((r * 255) / a);
        rgba[o + 1] = Math.round((g * 255) / a);
        rgba[o + 2] = Math.round((b * 255) / a);
      }
    }
  }
  return rgba;
}

/** A PNG file: 8-bit RGBA, no interlace, one IDAT (PNG spec, ISO/IEC 15948). */
export function encodePng(size: number, rgba: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// "any": a rounded tile with transparent corners. "maskable": full bleed, the
// glyph shrunk into the central safe zone (a circle of radius 0.4).
const tile: Shape = {
  colour: ACCENT,
  inside: (x, y) => roundedRect(x, y, 0.5, 0.5, 0.5, 0.5, 0.22) <= 0,
};
const fullBleed: Shape = { colour: ACCENT, inside: () => true };

const ICONS = [
  { file: 'icon-192.png', size: 192, shapes: [tile, ...glyph(1)] },
  { file: 'icon-512.png', size: 512, shapes: [tile, ...glyph(1)] },
  { file: 'icon-maskable-512.png', size: 512, shapes: [fullBleed, ...glyph(0.8)] },
];

const outDir = path.resolve(import.meta.dirname, '../public/icons');
mkdirSync(outDir, { recursive: true });
for (const { file, size, shapes } of ICONS) {
  const png = encodePng(size, draw(size, shapes));
  writeFileSync(path.join(outDir, file), png);
  console.log(`${file}: ${size}×${size}, ${png.length} bytes`);
}
