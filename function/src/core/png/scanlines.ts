/**
 * One PNG scanline at a time: undo its filter against the previous (already unfiltered) line,
 * then turn it into pixels the box shrinker takes. Values follow pngjs exactly (the full-size
 * path): samples of 1, 2 and 4 bits scaled to 0–255 by multiplication, 16-bit samples rounded
 * to 8 (v × 255 / 65535, nearest), a tRNS colour (compared before scaling) becoming
 * transparent black, palette alpha from tRNS.
 */
import { pngCorrupt } from "../pngLimits";
import { ColourType, type PngChunks } from "./chunks";

export function scanlineBytes(width: number, channels: number, bitDepth: number): number {
  return Math.ceil((width * channels * bitDepth) / 8);
}

/** Undoes the filter of `line` (its filter byte first) in place, against `previous` (zeros for the first line). */
export function unfilter(line: Uint8Array, previous: Uint8Array, bytesPerPixel: number, row: number): void {
  const filter = line[0];
  const n = line.length;
  const bpp = bytesPerPixel;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = 1 + bpp; i < n; i++) line[i] = (line[i] + line[i - bpp]) & 0xff;
      return;
    case 2:
      for (let i = 1; i < n; i++) line[i] = (line[i] + previous[i]) & 0xff;
      return;
    case 3:
      for (let i = 1; i < n; i++) {
        const left = i > bpp ? line[i - bpp] : 0;
        line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xff;
      }
      return;
    case 4:
      for (let i = 1; i < n; i++) {
        const a = i > bpp ? line[i - bpp] : 0;
        const b = previous[i];
        const c = i > bpp ? previous[i - bpp] : 0;
        const p = a + b - c;
        const pa = p > a ? p - a : a - p;
        const pb = p > b ? p - b : b - p;
        const pc = p > c ? p - c : c - p;
        line[i] = (line[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      return;
    default:
      throw pngCorrupt(`scanline ${row} has filter type ${filter} (0–4 allowed)`);
  }
}

/** A scanline's pixels as the shrinker takes them: R G B (A) bytes, `stride` apart. */
export interface ScanlinePixels {
  pixels: Uint8Array;
  stride: 3 | 4;
  /** No pixel of this image can be transparent, so alpha need not be read. */
  opaque: boolean;
}

const scale16 = (hi: number, lo: number) => ((((hi << 8) | lo) * 255 + 32767) / 65535) | 0;

/** Converts unfiltered scanlines (without their filter byte) of one image to pixels. */
export class ScanlineConverter {
  private readonly rgba: Uint8Array;
  private readonly width: number;
  private readonly convert: (line: Uint8Array, row: number) => void;
  /** Whether rows are returned as they came (8-bit RGB or RGBA). */
  private readonly passThrough: boolean;
  readonly stride: 3 | 4;
  readonly opaque: boolean;

  constructor(private readonly png: PngChunks) {
    const { header, transparentColour } = png;
    this.width = header.width;
    this.rgba = new Uint8Array(header.width * 4);
    const hasAlphaChannel = header.colourType === ColourType.GreyAlpha || header.colourType === ColourType.Rgba;
    const paletteAlpha = header.colourType === ColourType.Palette && hasPaletteAlpha(png);
    this.opaque = !hasAlphaChannel && !paletteAlpha && transparentColour === undefined;
    this.passThrough =
      header.bitDepth === 8 &&
      (header.colourType === ColourType.Rgba || (header.colourType === ColourType.Rgb && transparentColour === undefined));
    this.stride = this.passThrough && header.colourType === ColourType.Rgb ? 3 : 4;
    this.convert = this.converterFor();
  }

  pixelsOf(line: Uint8Array, row: number): Uint8Array {
    if (this.passThrough) return line;
    this.convert(line, row);
    return this.rgba;
  }

  private converterFor(): (line: Uint8Array, row: number) => void {
    const { header, transparentColour } = this.png;
    const out = this.rgba;
    const width = this.width;
    const depth = header.bitDepth;
    switch (header.colourType) {
      case ColourType.Grey: {
        const key = transparentColour?.[0] ?? -1;
        if (depth === 16) {
          return (line) => {
            for (let x = 0, i = 0, o = 0; x < width; x++, i += 2, o += 4) {
              const raw = (line[i] << 8) | line[i + 1];
              const v = raw === key ? 0 : scale16(line[i], line[i + 1]);
              out[o] = out[o + 1] = out[o + 2] = v;
              out[o + 3] = raw === key ? 0 : 255;
            }
          };
        }
        const max = (1 << depth) - 1;
        const factor = 255 / max;
        const perByte = 8 / depth;
        return (line) => {
          for (let x = 0, o = 0; x < width; x++, o += 4) {
            const sample = depth === 8 ? line[x] : (line[(x / perByte) | 0] >> (8 - depth * ((x % perByte) + 1))) & max;
            const v = sample === key ? 0 : sample * factor;
            out[o] = out[o + 1] = out[o + 2] = v;
            out[o + 3] = sample === key ? 0 : 255;
          }
        };
      }
      case ColourType.Rgb: {
        const [kr, kg, kb] = transparentColour ?? [-1, -1, -1];
        const bytes = depth / 8;
        return (line) => {
          for (let x = 0, i = 0, o = 0; x < width; x++, i += 3 * bytes, o += 4) {
            let r, g, b;
            if (bytes === 2) {
              r = (line[i] << 8) | line[i + 1];
              g = (line[i + 2] << 8) | line[i + 3];
              b = (line[i + 4] << 8) | line[i + 5];
            } else {
              r = line[i];
              g = line[i + 1];
              b = line[i + 2];
            }
            if (r === kr && g === kg && b === kb) {
              out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
            } else if (bytes === 2) {
              out[o] = scale16(line[i], line[i + 1]);
              out[o + 1] = scale16(line[i + 2], line[i + 3]);
              out[o + 2] = scale16(line[i + 4], line[i + 5]);
              out[o + 3] = 255;
            } else {
              out[o] = r;
              out[o + 1] = g;
              out[o + 2] = b;
              out[o + 3] = 255;
            }
          }
        };
      }
      case ColourType.Palette: {
        const { palette, paletteSize } = this.png;
        const max = (1 << depth) - 1;
        const perByte = 8 / depth;
        return (line, row) => {
          for (let x = 0, o = 0; x < width; x++, o += 4) {
            const index = depth === 8 ? line[x] : (line[(x / perByte) | 0] >> (8 - depth * ((x % perByte) + 1))) & max;
            if (index >= paletteSize) {
              throw pngCorrupt(`pixel (${x}, ${row}) uses palette index ${index} but the palette has ${paletteSize} colours`);
            }
            const p = index * 4;
            out[o] = palette[p];
            out[o + 1] = palette[p + 1];
            out[o + 2] = palette[p + 2];
            out[o + 3] = palette[p + 3];
          }
        };
      }
      case ColourType.GreyAlpha:
        return depth === 16
          ? (line) => {
              for (let x = 0, i = 0, o = 0; x < width; x++, i += 4, o += 4) {
                out[o] = out[o + 1] = out[o + 2] = scale16(line[i], line[i + 1]);
                out[o + 3] = scale16(line[i + 2], line[i + 3]);
              }
            }
          : (line) => {
              for (let x = 0, i = 0, o = 0; x < width; x++, i += 2, o += 4) {
                out[o] = out[o + 1] = out[o + 2] = line[i];
                out[o + 3] = line[i + 1];
              }
            };
      default: // RGBA, 16-bit (8-bit passes through)
        return (line) => {
          for (let i = 0, o = 0; o < width * 4; i += 2, o++) out[o] = scale16(line[i], line[i + 1]);
        };
    }
  }
}

function hasPaletteAlpha(png: PngChunks): boolean {
  for (let i = 0; i < png.paletteSize; i++) if (png.palette[i * 4 + 3] !== 255) return true;
  return false;
}
