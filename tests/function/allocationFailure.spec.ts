import * as assert from "assert";
import { AllocationError, isAllocationFailure } from "../../function/src/core/errors";
import { wasmMemory } from "./support/wasmMemory";

describe("isAllocationFailure", () => {
  it("recognises the runtime's own allocation failures, made for real", () => {
    const failures: unknown[] = [];
    try {
      new ArrayBuffer(2 ** 45);
    } catch (err) {
      failures.push(err);
    }
    try {
      wasmMemory(1, 2).grow(8);
    } catch (err) {
      failures.push(err);
    }
    assert.strictEqual(failures.length, 2, "both allocations should have been refused");
    for (const err of failures) assert.ok(isAllocationFailure(err), String(err));
  });

  it("recognises a decoder's WASM heap refusing (our glue's AllocationError, Emscripten's and Rust's aborts)", () => {
    assert.ok(isAllocationFailure(new AllocationError("libjpeg-turbo could not allocate 12 bytes in its WASM heap")));
    const emscripten = new Error("Aborted(OOM). Build with -sASSERTIONS for more info.");
    emscripten.name = "RuntimeError";
    assert.ok(isAllocationFailure(emscripten));
    const rust = new Error("memory allocation of 1073741824 bytes failed");
    rust.name = "RuntimeError";
    assert.ok(isAllocationFailure(rust));
  });

  it("leaves nonsense sizes (what a lying header makes) and ordinary bugs alone", () => {
    const nonsense: unknown[] = [];
    for (const make of [() => new Array(2 ** 32), () => new Uint8Array(-1), () => Buffer.alloc(2 ** 40)]) {
      try {
        make();
      } catch (err) {
        nonsense.push(err);
      }
    }
    assert.strictEqual(nonsense.length, 3);
    for (const err of nonsense) assert.ok(!isAllocationFailure(err), String(err));
    assert.ok(!isAllocationFailure(new TypeError("Array buffer allocation failed")), "only RangeError/RuntimeError carry it");
    assert.ok(!isAllocationFailure("Array buffer allocation failed"));
  });
});
