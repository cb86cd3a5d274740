/** Images the tests make themselves: jimp for real images, piexifjs for EXIF, hand-written bomb headers. */
import { Jimp } from "jimp";
import * as zlib from "zlib";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- piexifjs ships no types
const piexif = require("piexifjs");

export type Mime = "image/jpeg" | "image/png" | "image/gif" | "image/bmp" | "image/tiff";

/** A solid image of one colour (0xRRGGBBAA). */
export async function solid(width: number, height: number, mime: Mime, color = 0x4080c0ff): Promise<Buffer> {
  const image = new Jimp({ width, height, color });
  return encode(image, mime);
}

export async function encode(image: InstanceType<typeof Jimp>, mime: Mime): Promise<Buffer> {
  if (mime === "image/jpeg") return image.getBuffer(mime, { quality: 95 });
  return image.getBuffer(mime);
}

/**
 * A stored image whose four corner quadrants have distinct colours, so where each corner
 * lands after orientation can be read back. Top-left quadrant is RED.
 */
export const QUADRANTS = { topLeft: 0xff0000ff, topRight: 0x00ff00ff, bottomLeft: 0x0000ffff, bottomRight: 0xffff00ff } as const;

export function quadrantImage(width: number, height: number): InstanceType<typeof Jimp> {
  const image = new Jimp({ width, height, color: 0xffffffff });
  const halfW = Math.floor(width / 2);
  const halfH = Math.floor(height / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const color =
        y < halfH ? (x < halfW ? QUADRANTS.topLeft : QUADRANTS.topRight) : x < halfW ? QUADRANTS.bottomLeft : QUADRANTS.bottomRight;
      image.setPixelColor(color, x, y);
    }
  }
  return image;
}

/** Inserts an EXIF block with the given orientation into a JPEG. */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const exif = piexif.dump({ "0th": { [piexif.ImageIFD.Orientation]: orientation } });
  return Buffer.from(piexif.insert(exif, jpeg.toString("binary")), "binary");
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose IHDR claims width × height; its IDAT is a small valid zlib stream of zeros (a real bomb inflates). */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", zlib.deflateSync(Buffer.alloc(64 * 1024))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A PNG with an eXIf chunk (PNG 1.5) carrying the given orientation, before IDAT. */
export function pngWithExif(png: Buffer, orientation: number): Buffer {
  const exif = Buffer.from(piexif.dump({ "0th": { [piexif.ImageIFD.Orientation]: orientation } }), "binary");
  // piexif.dump returns "Exif\0\0" + TIFF structure; eXIf holds the TIFF structure only.
  const tiff = exif.subarray(6);
  const ihdrEnd = 8 + 12 + 13;
  return Buffer.concat([png.subarray(0, ihdrEnd), pngChunk("eXIf", tiff), png.subarray(ihdrEnd)]);
}

/** A GIF whose logical screen claims width × height. */
export function gifBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.write("GIF89a", 0, "ascii");
  header.writeUInt16LE(width, 6);
  header.writeUInt16LE(height, 8);
  header[10] = 0x80; // global colour table of 2 entries
  const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  // LZW min code size 2, one sub-block clearing and ending, then the trailer.
  return Buffer.concat([header, palette, descriptor, Buffer.from([0x02, 0x02, 0x44, 0x01, 0x00, 0x3b])]);
}

/** A small GIF whose first frame descriptor claims a frame far larger than its logical screen. */
export function gifFrameBomb(frameWidth: number, frameHeight: number): Buffer {
  const gif = gifBomb(1, 1);
  // Logical screen stays 1×1; patch the image descriptor's size.
  gif.writeUInt16LE(frameWidth, 13 + 6 + 5);
  gif.writeUInt16LE(frameHeight, 13 + 6 + 7);
  return gif;
}

/** A JPEG whose frame header (SOF0) claims width × height, followed by a little scan data. */
export function jpegBomb(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    sof,
    Buffer.from([0xff, 0xda, 0x00, 0x02]),
    Buffer.alloc(1024, 0x55),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A BMP whose header claims width × height. */
export function bmpBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(54);
  header.write("BM", 0, "ascii");
  header.writeUInt32LE(54 + 16, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  return Buffer.concat([header, Buffer.alloc(16)]);
}

/** A little-endian TIFF whose first IFD claims width × height. */
export function tiffBomb(width: number, height: number): Buffer {
  const entries = [
    [256, 4, 1, width],
    [257, 4, 1, height],
    [258, 3, 1, 8],
    [259, 3, 1, 1],
    [262, 3, 1, 1],
    [273, 4, 1, 8],
    [277, 3, 1, 1],
    [278, 4, 1, height],
    [279, 4, 1, 16],
  ];
  const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(type, at + 2);
    ifd.writeUInt32LE(count, at + 4);
    if (type === 3) ifd.writeUInt16LE(value, at + 8);
    else ifd.writeUInt32LE(value, at + 8);
  });
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0, 0, 0, 0]);
  header.writeUInt32LE(8 + 16, 4);
  return Buffer.concat([header, Buffer.alloc(16), ifd]);
}

/**
 * A real, uncompressed 8-bit greyscale TIFF (little-endian) with an Orientation tag: its
 * top-left quadrant is black, the rest white.
 */
export function greyTiffWithOrientation(width: number, height: number, orientation: number): Buffer {
  const pixels = Buffer.alloc(width * height, 0xff);
  for (let y = 0; y < height / 2; y++) for (let x = 0; x < width / 2; x++) pixels[y * width + x] = 0;
  const entries: [number, number, number][] = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 8],
    [259, 3, 1],
    [262, 3, 1],
    [273, 4, 0], // patched below: strip offset
    [274, 3, orientation],
    [277, 3, 1],
    [278, 4, height],
    [279, 4, pixels.length],
  ];
  const ifdOffset = 8;
  const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
  const stripOffset = ifdOffset + ifd.length;
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach(([tag, type, value], i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(type, at + 2);
    ifd.writeUInt32LE(1, at + 4);
    const v = tag === 273 ? stripOffset : value;
    if (type === 3) ifd.writeUInt16LE(v, at + 8);
    else ifd.writeUInt32LE(v, at + 8);
  });
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, ifdOffset, 0, 0, 0]);
  return Buffer.concat([header, ifd, pixels]);
}

/** An Adam7-interlaced 8-bit RGB PNG (pngjs and jimp write only non-interlaced ones). */
export function interlacedPng(width: number, height: number, colorAt: (x: number, y: number) => [number, number, number]): Buffer {
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ];
  const rows: Buffer[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < height; y += dy) {
      const row: number[] = [0]; // filter type None
      for (let x = x0; x < width; x += dx) row.push(...colorAt(x, y));
      if (row.length > 1) rows.push(Buffer.from(row));
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  ihdr[12] = 1; // Adam7
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}
