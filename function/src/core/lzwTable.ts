/**
 * The LZW string table shared by the GIF and TIFF decoders. It is bounded by construction:
 * a new entry's prefix is always an older entry, so chains only get shorter, and each entry
 * knows its length, so writing a string takes exactly that many steps. The formats differ
 * only in bit order and when the code width grows, which their decoders handle.
 */
const MAX_CODES = 4096;

export class LzwTable {
  private readonly prefix = new Uint16Array(MAX_CODES);
  private readonly suffix = new Uint8Array(MAX_CODES);
  private readonly first = new Uint8Array(MAX_CODES);
  private readonly length = new Uint16Array(MAX_CODES);
  /** The code the next entry gets. */
  nextCode: number;

  /** `literals` single-byte codes (0…literals − 1); entries start at `firstFree` (after the clear and end codes). */
  constructor(
    literals: number,
    private readonly firstFree: number,
  ) {
    for (let code = 0; code < literals; code++) {
      this.suffix[code] = code;
      this.first[code] = code;
      this.length[code] = 1;
    }
    this.nextCode = firstFree;
  }

  clear(): void {
    this.nextCode = this.firstFree;
  }

  /** Whether `code` may follow `previous` (−1 right after a clear): a known entry, or the one being defined. */
  accepts(code: number, previous: number): boolean {
    return code < this.nextCode || (code === this.nextCode && previous >= 0);
  }

  /**
   * Adds the entry `previous` + first byte of `code` (for the entry being defined, the first
   * byte of `previous`); returns false when the table is full.
   */
  add(previous: number, code: number): boolean {
    const entry = this.nextCode;
    if (entry >= MAX_CODES) return false;
    this.prefix[entry] = previous;
    this.suffix[entry] = code === entry ? this.first[previous] : this.first[code];
    this.first[entry] = this.first[previous];
    this.length[entry] = this.length[previous] + 1;
    this.nextCode++;
    return true;
  }

  /** Writes the string of `code` at out[written…], clipped to `out`; returns the new write position. */
  write(code: number, out: Uint8Array, written: number): number {
    const stringLength = this.length[code];
    let position = written + stringLength - 1;
    let chain = code;
    for (let step = 0; step < stringLength; step++) {
      if (position < out.length) out[position] = this.suffix[chain];
      position--;
      chain = this.prefix[chain];
    }
    return Math.min(out.length, written + stringLength);
  }
}
