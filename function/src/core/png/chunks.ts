/**
 * Walks a PNG's chunks once, checking each one's CRC, and returns what decoding needs: the
 * header, the palette and transparency, and the IDAT payloads as views into the file (no copy).
 * It refuses what pngjs refuses (an unknown critical chunk, tRNS before PLTE, a palette image
 * without PLTE, a file that ends before IEND), so a file fails the same way on either path.
 */
import * as zlib from "zlib";
import { pngCorrupt } from "../pngLimits";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const ColourType = { Grey: 0, Rgb: 2, Palette: 3, GreyAlpha: 4, Rgba: 6 } as const;

/** Channels per pixel and the bit depths the PNG specification allows, by colour type. */
const COLOUR_TYPES: Record<number, { channels: number; depths: readonly number[] }> = {
  [ColourType.Grey]: { channels: 1, depths: [1, 2, 4, 8, 16] },
  [ColourType.Rgb]: { channels: 3, depths: [8, 16] },
  [ColourType.Palette]: { channels: 1, depths: [1, 2, 4, 8] },
  [ColourType.GreyAlpha]: { channels: 2, depths: [8, 16] },
  [ColourType.Rgba]: { channels: 4, depths: [8, 16] },
};

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  channels: number;
  interlaced: boolean;
}

export interface PngChunks {
  header: PngHeader;
  /** RGBA per palette entry (alpha from tRNS, else 255); empty unless PLTE was present. */
  palette: Uint8Array;
  paletteSize: number;
  /** The tRNS sample values of a grey or RGB image: the colour that is fully transparent. */
  transparentColour?: number[];
  idat: Uint8Array[];
}

function typeName(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

export function readPngChunks(bytes: Uint8Array): PngChunks {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw pngCorrupt("the file does not start with the PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  let palette = new Uint8Array(0);
  let paletteSize = 0;
  let transparentColour: number[] | undefined;
  const idat: Uint8Array[] = [];

  for (let at = 8; ;) {
    if (at + 8 > bytes.length) throw pngCorrupt(`the file ends at byte ${bytes.length}, inside a chunk header, before IEND (truncated)`);
    const length = view.getUint32(at);
    const type = typeName(bytes, at + 4);
    const dataStart = at + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) {
      throw pngCorrupt(`chunk ${type} at byte ${at} declares ${length} bytes but the file ends at byte ${bytes.length} (truncated)`);
    }
    const stored = view.getUint32(dataEnd);
    const ancillary = (bytes[at + 4] & 0x20) !== 0;
    const known = type === "IHDR" || type === "PLTE" || type === "tRNS" || type === "IDAT" || type === "IEND" || type === "gAMA";
    // Like pngjs, unknown ancillary chunks are skipped unchecked: their damage cannot change a pixel.
    if (known) {
      const computed = zlib.crc32(bytes.subarray(dataStart, dataEnd), zlib.crc32(bytes.subarray(at + 4, dataStart)));
      if (computed !== stored) throw pngCorrupt(`chunk ${type} at byte ${at} has CRC ${hex(stored)} but its bytes give ${hex(computed)}`);
    }
    const data = bytes.subarray(dataStart, dataEnd);
    if (!header && type !== "IHDR") throw pngCorrupt(`the first chunk is ${type}, not IHDR`);
    switch (type) {
      case "IHDR":
        header = parseHeader(data);
        break;
      case "PLTE":
        paletteSize = Math.min(256, Math.floor(length / 3));
        palette = new Uint8Array(256 * 4);
        for (let i = 0; i < paletteSize; i++) {
          palette.set([data[i * 3], data[i * 3 + 1], data[i * 3 + 2], 0xff], i * 4);
        }
        break;
      case "tRNS":
        transparentColour = parseTransparency(header!, data, palette, paletteSize) ?? transparentColour;
        break;
      case "IDAT":
        if (header!.colourType === ColourType.Palette && paletteSize === 0)
          throw pngCorrupt("a palette image has no PLTE chunk before its image data");
        idat.push(data);
        break;
      case "IEND":
        return { header: header!, palette, paletteSize, transparentColour, idat };
      default:
        if (!ancillary) throw pngCorrupt(`unknown critical chunk ${JSON.stringify(type)} at byte ${at}`);
    }
    at = dataEnd + 4;
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

function parseHeader(data: Uint8Array): PngHeader {
  if (data.length < 13) throw pngCorrupt(`IHDR holds ${data.length} bytes, not 13`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const width = view.getUint32(0);
  const height = view.getUint32(4);
  const [bitDepth, colourType, compression, filter, interlace] = data.subarray(8, 13);
  const kind = COLOUR_TYPES[colourType];
  if (!kind) throw pngCorrupt(`IHDR colour type ${colourType} is not one of 0, 2, 3, 4, 6`);
  if (!kind.depths.includes(bitDepth)) {
    throw pngCorrupt(`IHDR bit depth ${bitDepth} is not allowed for colour type ${colourType} (allowed: ${kind.depths.join(", ")})`);
  }
  if (compression !== 0) throw pngCorrupt(`IHDR compression method ${compression} is not 0 (deflate)`);
  if (filter !== 0) throw pngCorrupt(`IHDR filter method ${filter} is not 0`);
  if (interlace > 1) throw pngCorrupt(`IHDR interlace method ${interlace} is not 0 or 1`);
  if (width === 0 || height === 0) throw pngCorrupt(`IHDR declares ${width}×${height} pixels (both must be at least 1)`);
  return { width, height, bitDepth, colourType, channels: kind.channels, interlaced: interlace === 1 };
}

function parseTransparency(header: PngHeader, data: Uint8Array, palette: Uint8Array, paletteSize: number): number[] | undefined {
  const samples = (count: number) => {
    if (data.length < count * 2)
      throw pngCorrupt(`tRNS holds ${data.length} bytes, fewer than the ${count * 2} colour type ${header.colourType} needs`);
    return Array.from({ length: count }, (_, i) => (data[i * 2] << 8) | data[i * 2 + 1]);
  };
  switch (header.colourType) {
    case ColourType.Palette:
      if (paletteSize === 0) throw pngCorrupt("tRNS comes before PLTE");
      if (data.length > paletteSize) throw pngCorrupt(`tRNS holds ${data.length} alpha values for a palette of ${paletteSize} colours`);
      for (let i = 0; i < data.length; i++) palette[i * 4 + 3] = data[i];
      return undefined;
    case ColourType.Grey:
      return samples(1);
    case ColourType.Rgb:
      return samples(3);
    default:
      return undefined; // Images with an alpha channel: tRNS means nothing.
  }
}
