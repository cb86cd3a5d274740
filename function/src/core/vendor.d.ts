// Minimal types for the decoder libraries the core calls directly (neither ships its own).
declare module "pngjs" {
  interface PNGSyncReadOptions {
    checkCRC?: boolean;
    skipRescale?: boolean;
  }
  interface PNGSyncWriteOptions {
    colorType?: number;
    inputHasAlpha?: boolean;
    deflateLevel?: number;
    deflateStrategy?: number;
    filterType?: number | number[];
  }
  export class PNG {
    constructor(options: { width: number; height: number });
    width: number;
    height: number;
    data: Buffer;
    static sync: {
      read(buffer: Buffer, options?: PNGSyncReadOptions): PNG;
      write(png: PNG, options?: PNGSyncWriteOptions): Buffer;
    };
  }
}

declare module "omggif" {
  export class GifReader {
    constructor(bytes: Uint8Array);
    width: number;
    height: number;
    numFrames(): number;
    frameInfo(index: number): { x: number; y: number; width: number; height: number };
    decodeAndBlitFrameRGBA(index: number, pixels: Uint8Array): void;
  }
}
