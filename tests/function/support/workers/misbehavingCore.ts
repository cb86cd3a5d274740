/**
 * A decoder thread for the backstop's tests: the real core behind the real job protocol,
 * except for inputs that start with a command word, which misbehave the way a broken decoder
 * would: HANG loops forever, GROW fills Buffers (outside the V8 heap) without end, HEAP fills
 * the JS heap, EXIT kills the thread, THROW throws a plain Error; ABUF asks V8 for an
 * ArrayBuffer larger than the machine (a real "Array buffer allocation failed") and WASM grows
 * a WebAssembly memory past its maximum.
 */
import { makeThumbnails } from "../../../../function/src/core/thumbnailer";
import { serve } from "../../../../function/src/worker/serve";
import { wasmMemory } from "../wasmMemory";

serve(async (bytes, options) => {
  const command = Buffer.from(bytes.subarray(0, 5)).toString("latin1");
  if (command === "HANG ") for (;;);
  if (command === "GROW ") {
    const held: Buffer[] = [];
    for (;;) held.push(Buffer.alloc(16 * 2 ** 20, 1));
  }
  if (command === "HEAP ") {
    const held: number[][] = [];
    for (;;) held.push(new Array(1_000_000).fill(Math.random()));
  }
  if (command === "EXIT ") process.exit(3);
  if (command === "THROW") throw new RangeError("a bug in the core");
  if (command === "ABUF " || command === "WASM ") allocateTooMuch(command);
  return makeThumbnails(bytes, options);
});

function allocateTooMuch(command: string): never {
  if (command === "ABUF ") {
    // Far beyond any machine's memory plus swap, so the allocator refuses it at once.
    new ArrayBuffer(2 ** 45);
  } else {
    wasmMemory(1, 16).grow(64);
  }
  throw new Error(`${command} allocated what it asked for; this machine should not have that much memory`);
}
