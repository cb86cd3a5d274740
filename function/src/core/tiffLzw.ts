/**
 * TIFF LZW (compression 5) decoding that always ends. utif2's own decoder loops forever on a
 * code above the next free one: it adds a table entry whose prefix is itself, and walking that
 * entry never reaches the root (found by the fuzzer, tools/fuzz). Here every new entry's prefix
 * is an older entry, so every walk ends, and an out-of-table code is an error.
 *
 * Same contract as utif2's `UTIF.decode._decodeLZW(data, offset, length, target, targetOffset)`:
 * MSB-first codes of 9–12 bits, Clear 256, End 257, width growing one code early (TIFF 6.0);
 * returns the target offset after the last byte written.
 */
const CLEAR = 256;
const END = 257;
const FIRST_FREE = 258;
const TABLE_SIZE = 4096;

export function decodeTiffLzw(data: Uint8Array, offset: number, length: number, target: Uint8Array, targetOffset: number): number {
  const prefix = new Int16Array(TABLE_SIZE);
  const suffix = new Uint8Array(TABLE_SIZE);
  const first = new Uint8Array(TABLE_SIZE);
  const size = new Uint16Array(TABLE_SIZE);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = first[i] = i;
    size[i] = 1;
  }
  const endBit = Math.min(data.length, offset + length) * 8;
  let bit = offset * 8;
  let width = 9;
  let next = FIRST_FREE;
  let previous = -1;
  let out = targetOffset;

  const read = (): number => {
    if (bit + width > endBit) return END;
    const at = bit >>> 3;
    const window = (data[at] << 16) | ((data[at + 1] ?? 0) << 8) | (data[at + 2] ?? 0);
    bit += width;
    return (window >>> (24 - ((bit - width) & 7) - width)) & ((1 << width) - 1);
  };
  const emit = (code: number): void => {
    const n = size[code];
    for (let i = n - 1, c = code; i >= 0; i--, c = prefix[c]) {
      if (out + i < target.length) target[out + i] = suffix[c];
    }
    out += n;
  };
  const add = (from: number, byte: number): void => {
    if (next >= TABLE_SIZE) return;
    prefix[next] = from;
    suffix[next] = byte;
    first[next] = first[from];
    size[next] = Math.min(size[from] + 1, 0xffff);
    next++;
    if (next + 1 === 1 << width && width < 12) width++;
  };

  for (;;) {
    // Nothing more can land in the target: stop instead of decoding the rest for nothing.
    if (out >= target.length) break;
    const code = read();
    if (code === END) break;
    if (code === CLEAR) {
      width = 9;
      next = FIRST_FREE;
      previous = -1;
      continue;
    }
    if (previous === -1) {
      if (code > 255) throw new Error(`TIFF LZW: code ${code} follows a Clear, where only a literal (0–255) may`);
      emit(code);
    } else if (code < next) {
      emit(code);
      add(previous, first[code]);
    } else if (code === next) {
      add(previous, first[previous]);
      emit(code);
    } else {
      throw new Error(`TIFF LZW: code ${code} is past the next free code ${next}`);
    }
    previous = code;
  }
  return out;
}
