/**
 * The WebP container (RIFF), read before any decoder runs: the canvas size the pixel limit is
 * checked against, where the first image's bitstream is, and whether it is animated. Facts from
 * Google's "WebP Container Specification" and "WebP Lossless Bitstream Specification", and
 * RFC 6386 §9.1 for the lossy (VP8) key-frame header.
 *
 * Every size the decoder will act on is read here and tied to the canvas: a still image's
 * bitstream must be exactly the canvas, an animation's first frame must lie inside it. So a
 * file whose VP8X chunk claims a small canvas over a huge bitstream is refused here, not
 * discovered by the decoder's allocation.
 */

/** The container is malformed; the message says where and how. */
export class WebpContainerError extends Error {
  override readonly name = "WebpContainerError";
}

/** A byte range of the file: [start, end). */
export interface ByteRange {
  start: number;
  end: number;
}

/** One image bitstream: lossy (VP8, optionally with an ALPH chunk) or lossless (VP8L). */
export interface WebpBitstream {
  codec: "lossy" | "lossless";
  width: number;
  height: number;
  /** The VP8 or VP8L chunk, header included. */
  chunk: ByteRange;
  /** The ALPH chunk of a lossy image with alpha, header included. */
  alpha?: ByteRange;
}

export interface WebpContainer {
  /** The canvas: the whole image (an animation's frames are drawn on it). */
  width: number;
  height: number;
  /** "simple" is a file of one VP8 or VP8L chunk; "extended" starts with VP8X. */
  layout: "simple" | "extended";
  animated: boolean;
  /** The still image, or an animation's first frame, and where it is drawn on the canvas. */
  first: WebpBitstream & { x: number; y: number };
  /** The EXIF chunk's payload (a TIFF structure), when there is one. */
  exif?: ByteRange;
  /** The ICCP chunk's payload, when there is one. */
  icc?: ByteRange;
}

const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
/** VP8X flag bits (container spec). */
const VP8X_ANIMATION = 0x02;

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function uint24(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16);
}

function uint32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

interface Chunk {
  type: string;
  /** Offset of the chunk header. */
  start: number;
  /** Offset of the payload. */
  payload: number;
  /** End of the payload (before any padding byte). */
  end: number;
}

/**
 * The chunks between `start` and `end`, in order. A chunk that runs past `end` means the file
 * was cut short (or its size field lies): that is reported, never read past.
 */
function chunksIn(bytes: Uint8Array, start: number, end: number, where: string): Chunk[] {
  const chunks: Chunk[] = [];
  let at = start;
  while (at < end) {
    if (at + CHUNK_HEADER_BYTES > end)
      throw new WebpContainerError(`the file ends inside a chunk header at byte ${at} of ${where} (truncated)`);
    const type = fourcc(bytes, at);
    const size = uint32(bytes, at + 4);
    const payload = at + CHUNK_HEADER_BYTES;
    if (size > end - payload) {
      throw new WebpContainerError(
        `chunk "${type}" at byte ${at} declares ${size} bytes but only ${end - payload} remain in ${where} (truncated, or the size lies)`,
      );
    }
    chunks.push({ type, start: at, payload, end: payload + size });
    // Chunks are padded to an even size; a missing final pad byte is tolerated, as libwebp does.
    at = payload + size + (size & 1);
  }
  return chunks;
}

/** Width and height of a VP8 key frame (RFC 6386 §9.1): 14 bits each, the top 2 bits are upscaling hints. */
function vp8Size(bytes: Uint8Array, chunk: Chunk): { width: number; height: number } {
  if (chunk.end - chunk.payload < 10)
    throw new WebpContainerError(
      `VP8 chunk at byte ${chunk.start} is ${chunk.end - chunk.payload} bytes, shorter than a frame header (10)`,
    );
  const p = chunk.payload;
  if ((bytes[p] & 1) !== 0) throw new WebpContainerError(`VP8 chunk at byte ${chunk.start} does not start with a key frame`);
  if (bytes[p + 3] !== 0x9d || bytes[p + 4] !== 0x01 || bytes[p + 5] !== 0x2a) {
    throw new WebpContainerError(`VP8 chunk at byte ${chunk.start} lacks the key-frame start code 9d 01 2a`);
  }
  return { width: (bytes[p + 6] | (bytes[p + 7] << 8)) & 0x3fff, height: (bytes[p + 8] | (bytes[p + 9] << 8)) & 0x3fff };
}

/** Width and height of a VP8L image: signature 0x2f, then 14 bits each of width − 1 and height − 1. */
function vp8lSize(bytes: Uint8Array, chunk: Chunk): { width: number; height: number } {
  if (chunk.end - chunk.payload < 5)
    throw new WebpContainerError(`VP8L chunk at byte ${chunk.start} is ${chunk.end - chunk.payload} bytes, shorter than its header (5)`);
  const p = chunk.payload;
  if (bytes[p] !== 0x2f)
    throw new WebpContainerError(`VP8L chunk at byte ${chunk.start} has signature 0x${bytes[p].toString(16)}, not 0x2f`);
  const bits = uint32(bytes, p + 1);
  const version = bits >>> 29;
  if (version !== 0) throw new WebpContainerError(`VP8L chunk at byte ${chunk.start} has version ${version}; only 0 is defined`);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
}

/** The image in a run of chunks: an optional ALPH, then VP8 or VP8L (unknown chunks are skipped, as the spec says). */
function bitstreamIn(bytes: Uint8Array, chunks: Chunk[], where: string): WebpBitstream {
  let alpha: ByteRange | undefined;
  for (const chunk of chunks) {
    if (chunk.type === "ALPH") alpha ??= { start: chunk.start, end: chunk.end };
    else if (chunk.type === "VP8 ")
      return { codec: "lossy", ...vp8Size(bytes, chunk), chunk: { start: chunk.start, end: chunk.end }, alpha };
    // A lossless image carries its own alpha; an ALPH chunk before it is ignored.
    else if (chunk.type === "VP8L") return { codec: "lossless", ...vp8lSize(bytes, chunk), chunk: { start: chunk.start, end: chunk.end } };
    else if (chunk.type === "ANMF" || chunk.type === "ANIM") break;
  }
  throw new WebpContainerError(`${where} has no VP8 or VP8L image data`);
}

function firstFrame(bytes: Uint8Array, chunks: Chunk[], canvas: { width: number; height: number }): WebpContainer["first"] {
  if (!chunks.some((c) => c.type === "ANIM"))
    throw new WebpContainerError("the VP8X chunk says the file is animated but there is no ANIM chunk");
  const frame = chunks.find((c) => c.type === "ANMF");
  if (!frame) throw new WebpContainerError("the file is animated but has no frame (ANMF chunk)");
  if (frame.end - frame.payload < 16) throw new WebpContainerError(`ANMF chunk at byte ${frame.start} is shorter than its 16-byte header`);
  const p = frame.payload;
  const x = 2 * uint24(bytes, p);
  const y = 2 * uint24(bytes, p + 3);
  const width = uint24(bytes, p + 6) + 1;
  const height = uint24(bytes, p + 9) + 1;
  if (x + width > canvas.width || y + height > canvas.height) {
    throw new WebpContainerError(
      `the first frame (${width}×${height} at ${x},${y}) does not fit the ${canvas.width}×${canvas.height} canvas`,
    );
  }
  const image = bitstreamIn(bytes, chunksIn(bytes, p + 16, frame.end, `the ANMF chunk at byte ${frame.start}`), "the first frame");
  if (image.width !== width || image.height !== height) {
    throw new WebpContainerError(`the first frame's header says ${width}×${height} but its bitstream is ${image.width}×${image.height}`);
  }
  return { ...image, x, y };
}

export function readWebpContainer(bytes: Uint8Array): WebpContainer {
  if (bytes.length < RIFF_HEADER_BYTES + CHUNK_HEADER_BYTES)
    throw new WebpContainerError(`the file is ${bytes.length} bytes, too short for a RIFF header and a chunk (truncated)`);
  const riffSize = uint32(bytes, 4);
  if (riffSize < 4 + CHUNK_HEADER_BYTES) throw new WebpContainerError(`the RIFF size ${riffSize} is too small to hold a chunk`);
  // Bytes after the RIFF payload are not part of the image (libwebp ignores them too).
  const riffEnd = RIFF_HEADER_BYTES - 4 + riffSize;
  if (riffEnd > bytes.length) {
    throw new WebpContainerError(
      `the RIFF header declares ${riffEnd} bytes but the file has ${bytes.length} (truncated, or the size lies)`,
    );
  }
  const chunks = chunksIn(bytes, RIFF_HEADER_BYTES, riffEnd, "the file");
  const head = chunks[0];
  if (head.type === "VP8 " || head.type === "VP8L") {
    const image = bitstreamIn(bytes, [head], "the file");
    return { width: image.width, height: image.height, layout: "simple", animated: false, first: { ...image, x: 0, y: 0 } };
  }
  if (head.type !== "VP8X") throw new WebpContainerError(`the first chunk is "${head.type}"; expected VP8, VP8L or VP8X`);
  if (head.end - head.payload < 10) throw new WebpContainerError(`the VP8X chunk is ${head.end - head.payload} bytes; it must be 10`);
  const flags = bytes[head.payload];
  const width = uint24(bytes, head.payload + 4) + 1;
  const height = uint24(bytes, head.payload + 7) + 1;
  const animated = (flags & VP8X_ANIMATION) !== 0;
  const rest = chunks.slice(1);
  let first: WebpContainer["first"];
  if (animated) {
    first = firstFrame(bytes, rest, { width, height });
  } else {
    first = { ...bitstreamIn(bytes, rest, "the file"), x: 0, y: 0 };
    if (first.width !== width || first.height !== height) {
      throw new WebpContainerError(`the VP8X canvas is ${width}×${height} but the image bitstream is ${first.width}×${first.height}`);
    }
  }
  const payloadOf = (type: string): ByteRange | undefined => {
    const chunk = rest.find((c) => c.type === type);
    return chunk && { start: chunk.payload, end: chunk.end };
  };
  return { width, height, layout: "extended", animated, first, exif: payloadOf("EXIF"), icc: payloadOf("ICCP") };
}
