/**
 * The soak run's uploads, made in memory from a seed: photos of several formats and sizes, and
 * the hostile files a public bucket receives (truncated and garbage files, text named as an
 * image, empty objects, header and decompression bombs), each with the verdict a correct
 * pipeline reaches for it. Some keys are uploaded several times in quick succession, each time
 * with different bytes, so the older uploads are overwritten while their events are in flight.
 */
import sharp from "sharp";
import { Jimp } from "jimp";
import { FailureReason } from "../../contract/failureReasons";
import { RandomStream } from "../faults/random";
import { decompressionBombPng } from "../samples";

/** What a correct pipeline makes of an image, whatever faults it meets on the way. */
export type Expectation = { status: "SUCCEEDED" } | { status: "FAILED"; reason: FailureReason };

export interface SoakImage {
  /** Says what it is, e.g. "jpeg-progressive-1280x960" or "bomb-gif-header". */
  name: string;
  extension: string;
  contentType: string;
  bytes: Buffer;
  expect: Expectation;
}

export interface PlannedUpload {
  /** Position in the run (0-based): uploads of one key keep this order. */
  index: number;
  key: string;
  image: SoakImage;
  /** Which upload of its key this is (0: the first), and how many the key gets. */
  nth: number;
  ofKey: number;
  /**
   * Hook for deletes (#17): an upload the soak deletes after its event, which must end as a
   * deleted upload once the function handles ObjectRemoved events. Always false until then.
   */
  deleted: false;
}

type Format = "jpeg" | "png" | "gif" | "bmp" | "tiff";
const CONTENT_TYPE: Record<Format, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  bmp: "image/bmp",
  tiff: "image/tiff",
};
const EXTENSION: Record<Format, string> = { jpeg: "jpg", png: "png", gif: "gif", bmp: "bmp", tiff: "tif" };

/** A synthetic photo: gradients, a disc and stripes, different per variant so no two images are equal. */
function pixels(width: number, height: number, variant: number, channels: 3 | 4): Buffer {
  const data = Buffer.alloc(width * height * channels);
  const cx = width * (0.3 + 0.05 * (variant % 8));
  const cy = height * 0.4;
  const r2 = (Math.min(width, height) * 0.25) ** 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < r2;
      data[i] = inDisc ? 240 : (x * 255) / width;
      data[i + 1] = inDisc ? 200 : (y * 255) / height;
      data[i + 2] = ((x >> 4) + (y >> 4) + variant) & 1 ? 180 : 60;
      if (channels === 4) data[i + 3] = x < width / 2 ? 255 : Math.round((y * 255) / height);
    }
  }
  return data;
}

const SIZES: Array<[number, number]> = [
  [48, 32],
  [320, 240],
  [640, 480],
  [1024, 768],
  [1600, 1200],
  [120, 1400],
];

async function encode(format: Format, width: number, height: number, variant: number): Promise<{ name: string; bytes: Buffer }> {
  const size = `${width}x${height}`;
  const raw = (channels: 3 | 4) => sharp(pixels(width, height, variant, channels), { raw: { width, height, channels } });
  switch (format) {
    case "jpeg": {
      const progressive = variant % 3 === 1;
      const rotated = variant % 5 === 2;
      let image = raw(3).jpeg({ quality: 80, progressive });
      if (rotated) image = image.withMetadata({ orientation: 6 });
      return { name: `jpeg${progressive ? "-progressive" : ""}${rotated ? "-exif6" : ""}-${size}`, bytes: await image.toBuffer() };
    }
    case "png": {
      const alpha = variant % 2 === 0;
      return {
        name: `png${alpha ? "-alpha" : ""}-${size}`,
        bytes: await raw(alpha ? 4 : 3)
          .png()
          .toBuffer(),
      };
    }
    case "gif":
      return { name: `gif-${size}`, bytes: await raw(3).gif().toBuffer() };
    case "bmp":
    case "tiff": {
      const image = new Jimp({ width, height, data: pixels(width, height, variant, 4).map((v, i) => (i % 4 === 3 ? 255 : v)) as Buffer });
      return { name: `${format}-${size}`, bytes: await image.getBuffer(CONTENT_TYPE[format] as "image/bmp" | "image/tiff") };
    }
  }
}

const corrupt = { status: "FAILED", reason: FailureReason.CorruptImage } as const;
const tooManyPixels = { status: "FAILED", reason: FailureReason.TooManyPixels } as const;

/** Header bombs: a few bytes claiming far more pixels than MAX_IMAGE_PIXELS, refused from the header. */
function headerBombs(): SoakImage[] {
  const png = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(png);
  png.write("IHDR", 12, "latin1");
  png.writeUInt32BE(30000, 16);
  png.writeUInt32BE(30000, 20);
  png[24] = 8;
  png[25] = 2;
  const screen = Buffer.alloc(13 + 6);
  screen.write("GIF89a", 0, "latin1");
  screen.writeUInt16LE(65535, 6);
  screen.writeUInt16LE(65535, 8);
  screen[10] = 0x80;
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(65535, 5);
  descriptor.writeUInt16LE(65535, 7);
  const gif = Buffer.concat([screen, descriptor, Buffer.from([0x02, 0x02, 0x44, 0x01, 0x00, 0x3b])]);
  const jpeg = Buffer.from([
    0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0xff, 0xff, 0xff, 0xff, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
  ]);
  const bmp = Buffer.alloc(54 + 16);
  bmp.write("BM", 0, "latin1");
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(54, 10);
  bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(40000, 18);
  bmp.writeInt32LE(40000, 22);
  bmp.writeUInt16LE(1, 26);
  bmp.writeUInt16LE(24, 28);
  const bomb = (format: Format, bytes: Buffer): SoakImage => ({
    name: `bomb-${format}-header`,
    extension: EXTENSION[format],
    contentType: CONTENT_TYPE[format],
    bytes,
    expect: tooManyPixels,
  });
  return [bomb("png", png), bomb("gif", gif), bomb("jpeg", jpeg), bomb("bmp", bmp)];
}

/** The images the uploads are drawn from: made once, so a long run spends its time in the pipeline. */
export async function makeImagePool(): Promise<{ valid: SoakImage[]; hostile: SoakImage[] }> {
  const valid: SoakImage[] = [];
  const formats: Format[] = ["jpeg", "png", "gif", "bmp", "tiff"];
  let variant = 0;
  for (const format of formats) {
    // Big BMP, TIFF and GIF files are slow to encode and rare in practice: the larger sizes are JPEG and PNG.
    const sizes = format === "jpeg" || format === "png" ? SIZES : SIZES.slice(0, 3);
    for (const [width, height] of sizes) {
      for (let copy = 0; copy < (format === "jpeg" ? 3 : 1); copy++) {
        const { name, bytes } = await encode(format, width, height, variant++);
        valid.push({ name, extension: EXTENSION[format], contentType: CONTENT_TYPE[format], bytes, expect: { status: "SUCCEEDED" } });
      }
    }
  }
  const byName = (prefix: string) => valid.find((image) => image.name.startsWith(prefix))!;
  const photo = byName("jpeg-1024x768");
  const png = byName("png-alpha-640x480");
  const hostile: SoakImage[] = [
    { ...photo, name: "truncated-jpeg", bytes: photo.bytes.subarray(0, Math.floor(photo.bytes.length / 3)), expect: corrupt },
    { ...png, name: "truncated-png", bytes: png.bytes.subarray(0, Math.floor(png.bytes.length / 2)), expect: corrupt },
    {
      ...photo,
      name: "garbage-after-jpeg-magic",
      bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 0x5a)]),
      expect: corrupt,
    },
    {
      name: "text-named-png",
      extension: "png",
      contentType: "image/png",
      bytes: Buffer.from("not an image, whatever the name says\n"),
      expect: { status: "FAILED", reason: FailureReason.UnsupportedFormat },
    },
    {
      name: "empty",
      extension: "jpg",
      contentType: "image/jpeg",
      bytes: Buffer.alloc(0),
      expect: { status: "FAILED", reason: FailureReason.EmptyObject },
    },
    ...headerBombs(),
    { name: "bomb-png-decompression", extension: "png", contentType: "image/png", bytes: decompressionBombPng(), expect: tooManyPixels },
  ];
  return { valid, hostile };
}

/** Share of uploads that are hostile files, and of keys that are uploaded more than once. */
export const HOSTILE_SHARE = 0.15;
export const REUPLOADED_KEY_SHARE = 0.08;

/** Key names that S3 encodes in events: spaces, '+', '%' and non-ASCII. */
const AWKWARD_NAMES = ["holiday photo", "a+b", "100% done", "café", "日本"];

/** `count` uploads drawn from the pool, the same for the same seed. */
export function planUploads(count: number, pool: { valid: SoakImage[]; hostile: SoakImage[] }, seed: number): PlannedUpload[] {
  const random = new RandomStream(seed, "soak:corpus");
  const draw = () => {
    const from = random.chance(HOSTILE_SHARE) ? pool.hostile : pool.valid;
    return from[random.below(from.length)];
  };
  const uploads: PlannedUpload[] = [];
  let keyNumber = 0;
  while (uploads.length < count) {
    const times = random.chance(REUPLOADED_KEY_SHARE) ? 2 + random.below(2) : 1;
    const n = Math.min(times, count - uploads.length);
    const first = draw();
    const awkward = random.chance(0.1) ? `${AWKWARD_NAMES[random.below(AWKWARD_NAMES.length)]} ` : "";
    const key = `soak/${String(keyNumber++).padStart(5, "0")} ${awkward}${first.name}.${first.extension}`.replace(/ +/g, " ");
    for (let nth = 0; nth < n; nth++) {
      // Each re-upload has other bytes than the one before, so the older upload really is overwritten.
      let image = nth === 0 ? first : draw();
      while (nth > 0 && image.bytes.equals(uploads[uploads.length - 1].image.bytes)) image = draw();
      uploads.push({ index: uploads.length, key, image, nth, ofKey: n, deleted: false });
    }
  }
  return uploads;
}
