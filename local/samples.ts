/**
 * The sample set a first `npm start` runs on when given no --input: made at run time (nothing
 * binary in the repository) and chosen so that one run shows both successes and recorded
 * failures: several formats (WebP and AVIF written by sharp, a devDependency, as jimp writes
 * neither), a phone photo that only looks right when EXIF orientation is honoured, a PNG with
 * alpha, keys with spaces, '+' and unicode, a corrupt file, a file that is not an image, and a
 * decompression bomb.
 */
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { Jimp } from "jimp";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package
const piexif = require("piexifjs");

export interface Sample {
  name: string;
  /** What a correct pipeline does with it. */
  expect: "SUCCEEDED" | "FAILED";
  description: string;
}

type Rgba = [number, number, number, number];

/** A synthetic "photo": smooth gradients and a few shapes, so thumbnails are recognisable. */
function paint(width: number, height: number, pixel: (x: number, y: number) => Rgba): InstanceType<typeof Jimp> {
  const image = new Jimp({ width, height, color: 0x000000ff });
  const data = image.bitmap.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = pixel(x, y);
      const i = (y * width + x) * 4;
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      data[i + 3] = a;
    }
  }
  return image;
}

function landscape(width: number, height: number): (x: number, y: number) => Rgba {
  return (x, y) => {
    const sky = y < height * 0.6;
    const sun = (x - width * 0.75) ** 2 + (y - height * 0.25) ** 2 < (height * 0.12) ** 2;
    if (sun) return [255, 215, 64, 255];
    if (sky) return [70 + (110 * y) / height, 140 + (80 * y) / height, 235, 255];
    const hill = y > height * 0.6 + 30 * Math.sin(x / 40);
    return hill ? [40, 120 + (60 * x) / width, 50, 255] : [90, 160, 90, 255];
  };
}

/**
 * A photo stored sideways with EXIF orientation 6 ("rotate 90° clockwise to view"), as phones
 * write them. Stored 480×360 with a red arrow pointing left; shown upright it is 360×480 with
 * the arrow pointing up.
 */
async function sidewaysPhoto(): Promise<Buffer> {
  const width = 480;
  const height = 360;
  const image = paint(width, height, (x, y) => {
    const inShaft = y > height / 2 - 20 && y < height / 2 + 20 && x > 140 && x < 400;
    const inHead = x >= 60 && x <= 140 && Math.abs(y - height / 2) < (x - 60) * 0.9;
    if (inShaft || inHead) return [220, 30, 30, 255];
    return [235, 235, 225, 255];
  });
  const jpeg = await image.getBuffer("image/jpeg", { quality: 90 });
  const exif = piexif.dump({ "0th": { [piexif.ImageIFD.Orientation]: 6 } });
  return Buffer.from(piexif.insert(exif, jpeg.toString("binary")), "binary");
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid 1-bit greyscale PNG of side × side pixels, all black: tiny on disk, but a decoder
 * that expands it to RGBA needs side² × 4 bytes (1.6 GB at 20000).
 */
export function decompressionBombPng(side = 20000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(side / 8); // filter byte + packed pixels
  const raw = Buffer.alloc(rowBytes * side);
  const idat = zlib.deflateSync(raw, { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", idat),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * A GIF of vertical colour bands. Written directly rather than through jimp, whose GIF encoder
 * quantises colours and takes seconds; the LZW stream restarts every 250 pixels so every code
 * stays 9 bits wide, which any decoder reads.
 */
export function stripedGif(width: number, height: number): Buffer {
  const bands = 16;
  const palette = Buffer.alloc(256 * 3);
  for (let band = 0; band < bands; band++) palette.set([band * 16, 80 + band * 8, 255 - band * 16], band * 3);
  const clear = 256;
  const end = 257;
  const bytes: number[] = [];
  let bitBuffer = 0;
  let bitCount = 0;
  const emit = (code: number) => {
    bitBuffer |= code << bitCount;
    bitCount += 9;
    while (bitCount >= 8) {
      bytes.push(bitBuffer & 0xff);
      bitBuffer >>>= 8;
      bitCount -= 8;
    }
  };
  let sinceClear = 0;
  emit(clear);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (sinceClear === 250) {
        emit(clear);
        sinceClear = 0;
      }
      emit(Math.floor((x * bands) / width));
      sinceClear++;
    }
  }
  emit(end);
  if (bitCount > 0) bytes.push(bitBuffer & 0xff);
  const blocks: number[] = [];
  for (let i = 0; i < bytes.length; i += 255) {
    const block = bytes.slice(i, i + 255);
    blocks.push(block.length, ...block);
  }
  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(width, 0);
  screen.writeUInt16LE(height, 2);
  screen[4] = 0xf7; // global colour table of 256 entries
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  return Buffer.concat([
    Buffer.from("GIF89a", "latin1"),
    screen,
    palette,
    descriptor,
    Buffer.from([8]),
    Buffer.from(blocks),
    Buffer.from([0, 0x3b]),
  ]);
}

/** Writes the sample set into `directory` and says what each file should come out as. */
export async function writeSamples(directory: string): Promise<Sample[]> {
  fs.mkdirSync(directory, { recursive: true });
  const samples: Sample[] = [];
  const write = (name: string, bytes: Buffer, expect: Sample["expect"], description: string) => {
    fs.mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    fs.writeFileSync(path.join(directory, name), bytes);
    samples.push({ name, expect, description });
  };

  const photo = paint(1200, 800, landscape(1200, 800));
  const photoJpeg = await photo.getBuffer("image/jpeg", { quality: 85 });
  write("photos/landscape.jpg", photoJpeg, "SUCCEEDED", "a 1200×800 JPEG photo");
  write(
    "photos/phone portrait.jpg",
    await sidewaysPhoto(),
    "SUCCEEDED",
    "stored sideways with EXIF orientation 6: the thumbnail must be upright (arrow up)",
  );

  const logo = paint(512, 512, (x, y) => {
    const d = Math.hypot(x - 256, y - 256);
    if (d > 220) return [0, 0, 0, 0];
    return d > 180 ? [20, 90, 200, 255] : [250, 250, 250, Math.round(255 * (1 - d / 400))];
  });
  write(
    "graphics/logo with alpha.png",
    await logo.getBuffer("image/png"),
    "SUCCEEDED",
    "a PNG with transparency: the thumbnail stays a PNG with alpha",
  );

  write("graphics/wide banner.gif", stripedGif(2000, 200), "SUCCEEDED", "a 10:1 GIF: the thumbnail keeps the aspect ratio");

  // Loaded only here, like jimp: `npm start -- --input …` never needs it.
  const { default: sharp } = await import("sharp");
  const raw = (image: InstanceType<typeof Jimp>) =>
    sharp(image.bitmap.data, { raw: { width: image.bitmap.width, height: image.bitmap.height, channels: 4 } });
  write(
    "graphics/sticker.webp",
    await raw(logo).webp({ quality: 80, alphaQuality: 90 }).toBuffer(),
    "SUCCEEDED",
    "a lossy WebP with alpha, as messaging apps share stickers: the thumbnail stays a PNG with alpha",
  );
  write("photos/landscape.avif", await raw(photo).avif({ quality: 60, effort: 2 }).toBuffer(), "SUCCEEDED", "a 1200×800 AVIF photo");

  const small = paint(100, 80, landscape(100, 80));
  write(
    "graphics/tiny icon.bmp",
    await small.getBuffer("image/bmp"),
    "SUCCEEDED",
    "a 100×80 BMP: smaller than the thumbnail size, never upscaled",
  );
  write(
    "scans/café menu+specials.tiff",
    await paint(400, 600, (x, y) => [250 - (y % 60 < 4 ? 200 : 0), 248, 240 - (x % 80 < 3 ? 150 : 0), 255]).getBuffer("image/tiff"),
    "SUCCEEDED",
    "a TIFF whose key has a space, '+' and unicode",
  );

  write(
    "broken/truncated.jpg",
    photoJpeg.subarray(0, Math.floor(photoJpeg.length / 3)),
    "FAILED",
    "a JPEG cut off after a third of its bytes",
  );
  write(
    "broken/not an image.png",
    Buffer.from("This is a text file with a .png name.\n"),
    "FAILED",
    "text named .png: the format is detected from the content",
  );
  write(
    "broken/bomb.png",
    decompressionBombPng(),
    "FAILED",
    "a decompression bomb: 20000×20000 pixels in a few kB, refused before decoding",
  );
  return samples;
}
