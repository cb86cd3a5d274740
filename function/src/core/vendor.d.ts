// Minimal types for the decoder library the core calls directly (it ships none of its own).
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
