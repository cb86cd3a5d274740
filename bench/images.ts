/**
 * The benchmark's images, made on the fly: photo-like content (smooth gradients, mid-frequency
 * texture, hard edges and sensor-like noise) so that JPEG files have realistic entropy (a 12 MP
 * q85 file is ~3 MB, like a phone photo) and resizes have detail to alias on. Plus crafted
 * decompression-bomb headers, which are tiny files declaring huge images.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import sharp from "sharp";

export type ImageKind = "photo" | "bomb";

export interface BenchImage {
  /** Stable name used in the report and JSON, e.g. "jpeg-12mp". */
  name: string;
  kind: ImageKind;
  file: string;
  bytes: number;
  width: number;
  height: number;
  /** Whether naive jimp is run on it for comparison (too slow or refused for the largest). */
  naiveJimp: boolean;
}

interface PhotoSpec {
  name: string;
  width: number;
  height: number;
  encode: (image: sharp.Sharp) => sharp.Sharp;
  alpha?: boolean;
  naiveJimp?: boolean;
  quick?: boolean;
}

const PHOTOS: PhotoSpec[] = [
  { name: "jpeg-1mp", width: 1152, height: 864, encode: (i) => i.jpeg({ quality: 85 }), quick: true },
  { name: "jpeg-12mp", width: 4000, height: 3000, encode: (i) => i.jpeg({ quality: 85 }), quick: true },
  { name: "jpeg-24mp", width: 6000, height: 4000, encode: (i) => i.jpeg({ quality: 85 }), quick: true },
  { name: "jpeg-48mp", width: 8000, height: 6000, encode: (i) => i.jpeg({ quality: 85 }), naiveJimp: false, quick: true },
  // Stored landscape, displayed portrait: EXIF orientation 6 (rotate 90° clockwise).
  { name: "jpeg-12mp-exif6", width: 4000, height: 3000, encode: (i) => i.jpeg({ quality: 85 }).withMetadata({ orientation: 6 }) },
  { name: "jpeg-12mp-progressive", width: 4000, height: 3000, encode: (i) => i.jpeg({ quality: 85, progressive: true }) },
  { name: "png-12mp", width: 4000, height: 3000, encode: (i) => i.png({ compressionLevel: 6 }) },
  // Beyond jimp's default limits; what the streaming PNG path must hold under 256 MB.
  { name: "png-48mp", width: 8000, height: 6000, encode: (i) => i.png({ compressionLevel: 6 }), naiveJimp: false },
  // Adam7: a row is complete only after the seventh pass, so its samples are gathered first.
  { name: "png-12mp-interlaced", width: 4000, height: 3000, encode: (i) => i.png({ compressionLevel: 6, progressive: true }) },
  { name: "png-1mp-alpha", width: 1152, height: 864, alpha: true, encode: (i) => i.png({ compressionLevel: 6 }), quick: true },
  { name: "gif-1mp", width: 1152, height: 864, encode: (i) => i.gif() },
  // GIF still decodes at full size: with gif-1mp, the memory fit's two points.
  { name: "gif-12mp", width: 4000, height: 3000, encode: (i) => i.gif(), naiveJimp: false },
  { name: "tiff-3mp", width: 2000, height: 1500, encode: (i) => i.tiff({ compression: "lzw" }) },
  { name: "tiff-24mp", width: 6000, height: 4000, encode: (i) => i.tiff({ compression: "lzw" }), naiveJimp: false },
  // jimp has no WebP decoder: sharp is the only yardstick.
  { name: "webp-12mp", width: 4000, height: 3000, encode: (i) => i.webp({ quality: 80 }), naiveJimp: false, quick: true },
  { name: "avif-12mp", width: 4000, height: 3000, encode: (i) => i.avif({ quality: 50, effort: 2 }), naiveJimp: false, quick: true },
];

/** Deterministic pseudo-random numbers (the same images every run). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}

/** Raw interleaved pixels of a photo-like scene. */
export function photoPixels(width: number, height: number, channels: 3 | 4, seed = 7): Buffer {
  const next = lcg(seed);
  const tables = (n: number, periods: number[]) =>
    periods.map((p, k) => Float32Array.from({ length: n }, (_, i) => Math.sin((i / p) * Math.PI * 2 + k)));
  const [xLow, xMid, xFine] = tables(width, [width / 1.3, 57, 7.3]);
  const [yLow, yMid, yFine] = tables(height, [height / 0.9, 43, 5.1]);
  // A few hard-edged "objects" so the resize has edges to get right.
  const boxes = Array.from({ length: 12 }, () => {
    const w = (next() % Math.max(2, width / 4)) + 1;
    const h = (next() % Math.max(2, height / 4)) + 1;
    return { x0: next() % width, y0: next() % height, w, h, shade: [next() % 200, next() % 200, next() % 200] };
  });
  const data = Buffer.alloc(width * height * channels);
  // Per-row tint from the boxes covering each column: [r, g, b, covered] per x.
  const tint = new Float32Array(width * 4);
  let state = seed >>> 0;
  for (let y = 0; y < height; y++) {
    tint.fill(0);
    for (const box of boxes) {
      if (y < box.y0 || y >= box.y0 + box.h) continue;
      for (let x = box.x0; x < Math.min(width, box.x0 + box.w); x++) {
        tint[x * 4] = box.shade[0];
        tint[x * 4 + 1] = box.shade[1];
        tint[x * 4 + 2] = box.shade[2];
        tint[x * 4 + 3] = 1;
      }
    }
    const yl = yLow[y];
    const ym = yMid[y];
    const yf = yFine[y];
    let i = y * width * channels;
    for (let x = 0; x < width; x++, i += channels) {
      const low = 60 * (xLow[x] + yl);
      const mid = 25 * xMid[x] * ym;
      const fine = 10 * xFine[x] * yf;
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const noise = (state >>> 27) - 16;
      let r = 128 + low + mid + noise;
      let g = 120 + 0.8 * low - mid + fine + noise;
      let b = 110 - 0.6 * low + 0.5 * mid - fine + noise;
      if (tint[x * 4 + 3]) {
        r = 0.3 * r + tint[x * 4];
        g = 0.3 * g + tint[x * 4 + 1];
        b = 0.3 * b + tint[x * 4 + 2];
      }
      data[i] = r < 0 ? 0 : r > 255 ? 255 : r;
      data[i + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
      data[i + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
      if (channels === 4) data[i + 3] = Math.round(255 * Math.min(1, Math.max(0, x / width + 0.3 * yl)));
    }
  }
  return data;
}

/** Minimal PNG (signature, IHDR, one IDAT, IEND) declaring width × height: a bomb header. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, "latin1"), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typed) >>> 0);
    return Buffer.concat([head, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  // A stream of zero rows would inflate to width*height*4 bytes; a few KB of it is enough.
  const idat = zlib.deflateSync(Buffer.alloc(1 << 20));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A real small JPEG with its SOF dimensions patched to width × height. */
async function jpegBomb(width: number, height: number): Promise<Buffer> {
  const small = Buffer.from(
    await sharp(photoPixels(64, 64, 3), { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer(),
  );
  for (let i = 2; i + 9 < small.length;) {
    const marker = small[i + 1];
    const length = small.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) {
      small.writeUInt16BE(height, i + 5);
      small.writeUInt16BE(width, i + 7);
      return small;
    }
    i += 2 + length;
  }
  throw new Error("bench: no SOF marker in the generated JPEG");
}

/** A GIF whose logical screen and first frame declare width × height. */
async function gifBomb(width: number, height: number): Promise<Buffer> {
  const small = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#808080" } })
      .gif()
      .toBuffer(),
  );
  small.writeUInt16LE(width, 6);
  small.writeUInt16LE(height, 8);
  // Image descriptor: first 0x2C after the header/palette/extensions.
  const descriptor = small.indexOf(0x2c, 13);
  small.writeUInt16LE(width, descriptor + 5);
  small.writeUInt16LE(height, descriptor + 7);
  return small;
}

/** A real small lossless WebP with its VP8L header patched to declare width × height (each at most 16384). */
async function webpBomb(width: number, height: number): Promise<Buffer> {
  const small = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#808080" } })
      .webp({ lossless: true })
      .toBuffer(),
  );
  if (small.toString("latin1", 12, 16) !== "VP8L") throw new Error("bench: sharp did not write a simple lossless WebP");
  // After the chunk header and the 0x2f signature: 14 bits of width − 1, then 14 of height − 1.
  small.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 21);
  return small;
}

/** A real small AVIF with its primary item's size (ispe) patched to width × height. */
async function avifBomb(width: number, height: number): Promise<Buffer> {
  const small = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#808080" } })
      .avif({ effort: 0 })
      .toBuffer(),
  );
  const ispe = small.indexOf("ispe", 0, "latin1");
  if (ispe < 0) throw new Error("bench: no ispe box in the generated AVIF");
  // After the type: version and flags (4 bytes), then width and height.
  small.writeUInt32BE(width, ispe + 8);
  small.writeUInt32BE(height, ispe + 12);
  return small;
}

/**
 * A 12 MP HEIC, when ImageMagick (Debian's imagemagick: libheif with x265) is installed: sharp's
 * prebuilt libvips writes no HEVC, and none is committed (megabytes). Debian's heif-enc 1.15
 * writes broken 8-bit files (seen here), so ImageMagick is used.
 */
function heicFrom(png: string, out: string): boolean {
  const run = spawnSync("convert-im6.q16", [png, "-quality", "85", out], { stdio: "ignore" });
  return run.status === 0 && fs.existsSync(out);
}

/** A HEIF structure whose primary HEVC item declares width × height, with no image data behind it. */
function heicBomb(width: number, height: number): Buffer {
  const sized = (type: string, payload: Buffer) => {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + payload.length, 0);
    header.write(type, 4, "latin1");
    return Buffer.concat([header, payload]);
  };
  const full = (type: string, payload: Buffer) => sized(type, Buffer.concat([Buffer.alloc(4), payload]));
  const ispe = Buffer.alloc(8);
  ispe.writeUInt32BE(width, 0);
  ispe.writeUInt32BE(height, 4);
  return Buffer.concat([
    sized("ftyp", Buffer.from("heic\0\0\0\0mif1heic", "latin1")),
    full(
      "meta",
      Buffer.concat([
        full("hdlr", Buffer.from("\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0", "latin1")),
        full("pitm", Buffer.from([0, 1])),
        full("iinf", Buffer.concat([Buffer.from([0, 1]), sized("infe", Buffer.from("\x02\0\0\0\0\x01\0\0hvc1\0", "latin1"))])),
        sized("iprp", Buffer.concat([sized("ipco", full("ispe", ispe)), full("ipma", Buffer.from([0, 0, 0, 1, 0, 1, 1, 0x81]))])),
      ]),
    ),
  ]);
}

/** Writes the image set into dir; `quick` keeps only the core cases, `only` the images it names. */
export async function makeBenchImages(dir: string, quick: boolean, only?: readonly string[]): Promise<BenchImage[]> {
  const bombs: Array<[string, Buffer, number, number]> = [
    ["png-bomb-400mp", pngBomb(20000, 20000), 20000, 20000],
    ["jpeg-bomb-3600mp", await jpegBomb(60000, 60000), 60000, 60000],
    ["gif-bomb-4300mp", await gifBomb(65535, 65535), 65535, 65535],
    ["webp-bomb-268mp", await webpBomb(16384, 16384), 16384, 16384],
    ["avif-bomb-4300mp", await avifBomb(65535, 65535), 65535, 65535],
    ["heic-bomb-4300mp", heicBomb(65535, 65535), 65535, 65535],
  ];
  const names = [...PHOTOS.map((p) => p.name), "heic-12mp", ...bombs.map(([name]) => name)];
  const unknown = only?.filter((n) => !names.includes(n)) ?? [];
  if (unknown.length > 0) throw new Error(`bench: --only names unknown images ${unknown.join(", ")} (known: ${names.join(", ")})`);
  const wanted = (name: string) => !only || only.includes(name);
  const images: BenchImage[] = [];
  for (const spec of PHOTOS.filter((p) => (!quick || p.quick) && wanted(p.name))) {
    const channels = spec.alpha ? 4 : 3;
    const raw = photoPixels(spec.width, spec.height, channels);
    const encoded = await spec.encode(sharp(raw, { raw: { width: spec.width, height: spec.height, channels } })).toBuffer();
    const file = path.join(dir, `${spec.name}.${spec.name.split("-")[0]}`);
    fs.writeFileSync(file, encoded);
    images.push({
      name: spec.name,
      kind: "photo",
      file,
      bytes: encoded.length,
      width: spec.width,
      height: spec.height,
      naiveJimp: spec.naiveJimp ?? true,
    });
  }
  if (wanted("heic-12mp")) {
    const [width, height] = [4000, 3000];
    const png = path.join(dir, "heic-source.png");
    await sharp(photoPixels(width, height, 3), { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toFile(png);
    const file = path.join(dir, "heic-12mp.heic");
    if (heicFrom(png, file)) {
      images.push({ name: "heic-12mp", kind: "photo", file, bytes: fs.statSync(file).size, width, height, naiveJimp: false });
    } else {
      console.log("bench: heic-12mp skipped: no HEIC encoder here (apt-get install imagemagick)");
    }
    fs.rmSync(png);
  }
  for (const [name, bytes, width, height] of bombs.filter(([name]) => wanted(name))) {
    const file = path.join(dir, `${name}.${name.split("-")[0]}`);
    fs.writeFileSync(file, bytes);
    images.push({ name, kind: "bomb", file, bytes: bytes.length, width, height, naiveJimp: false });
  }
  return images;
}
