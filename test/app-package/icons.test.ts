import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { APP_PACKAGE_DIR } from './package-app-api';

function readPng(name: string): PNG {
  return PNG.sync.read(fs.readFileSync(path.join(APP_PACKAGE_DIR, name)));
}

/** Calls fn with the RGBA of every pixel. */
function eachPixel(png: PNG, fn: (r: number, g: number, b: number, a: number, x: number, y: number) => void): void {
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      fn(png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!, x, y);
    }
  }
}

/** Pixels that are visible (alpha > 0) but not pure white, as "(x,y) rgba(...)" strings. */
function nonWhitePixels(png: PNG): string[] {
  const found: string[] = [];
  eachPixel(png, (r, g, b, a, x, y) => {
    if (a > 0 && (r !== 255 || g !== 255 || b !== 255)) found.push(`(${x},${y}) rgba(${r},${g},${b},${a})`);
  });
  return found;
}

describe('app icons', () => {
  it('color.png is a 192x192 PNG, fully opaque, with more than one colour', () => {
    const png = readPng('color.png');
    expect([png.width, png.height]).toEqual([192, 192]);
    const colours = new Set<number>();
    let translucent = 0;
    eachPixel(png, (r, g, b, a) => {
      if (a !== 255) translucent++;
      colours.add((r << 16) | (g << 8) | b);
    });
    expect(translucent).toBe(0);
    expect(colours.size).toBeGreaterThan(8);
  });

  it('outline.png is a 32x32 PNG', () => {
    const png = readPng('outline.png');
    expect([png.width, png.height]).toEqual([32, 32]);
  });

  it('outline.png has only white pixels on a transparent background', () => {
    const png = readPng('outline.png');
    expect(nonWhitePixels(png)).toEqual([]);
    let transparent = 0;
    let opaque = 0;
    eachPixel(png, (_r, _g, _b, a) => {
      if (a === 0) transparent++;
      if (a === 255) opaque++;
    });
    // A glyph, not an empty or solid square: corners clear, a good share drawn.
    expect(transparent).toBeGreaterThan(32 * 32 * 0.4);
    expect(opaque).toBeGreaterThan(32 * 32 * 0.1);
    for (const [x, y] of [[0, 0], [31, 0], [0, 31], [31, 31]] as const) {
      expect(png.data[(y * 32 + x) * 4 + 3]).toBe(0);
    }
  });

  it('the outline colour check reports a visible pixel that is not white', () => {
    const png = readPng('outline.png');
    const i = png.data.findIndex((_v, index) => index % 4 === 3 && png.data[index]! > 0) - 3;
    png.data[i] = 0;
    expect(nonWhitePixels(png)).toHaveLength(1);
  });
});
