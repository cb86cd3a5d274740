/** A real WebAssembly.Memory (the project's lib settings carry no DOM or WebAssembly types). */
interface WasmMemory {
  grow(pages: number): number;
}
const { Memory } = (
  globalThis as unknown as { WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory } }
).WebAssembly;

export function wasmMemory(initialPages: number, maximumPages: number): WasmMemory {
  return new Memory({ initial: initialPages, maximum: maximumPages });
}
