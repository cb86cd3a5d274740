// omggif ships no types; the GIF tests use it as the reference the core's own GIF decoder replaced.
declare module "omggif" {
  export class GifReader {
    constructor(bytes: Uint8Array);
    width: number;
    height: number;
    decodeAndBlitFrameRGBA(index: number, pixels: Uint8Array): void;
  }
}
