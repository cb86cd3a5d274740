/**
 * Lambda cost and latency model (see KNOWN.md): CPU is proportional to memory, one full vCPU
 * at 1,769 MB, so work measured here as T CPU-seconds on one core takes T × max(1, 1769 / M)
 * seconds at M MB. Billed GB-seconds are duration × M / 1024. arm64 prices.
 */
export const FULL_VCPU_MB = 1769;
export const ARM64_USD_PER_GB_SECOND = 0.0000133334;
export const USD_PER_MILLION_REQUESTS = 0.2;

/** Estimated duration in ms at memoryMb for work measured as `ms` on one full core here. */
export function durationAt(ms: number, memoryMb: number): number {
  return ms * Math.max(1, FULL_VCPU_MB / memoryMb);
}

/** Estimated USD per million invocations of `ms` of one-core work at memoryMb. */
export function costPerMillion(ms: number, memoryMb: number): number {
  const gbSeconds = (durationAt(ms, memoryMb) / 1000) * (memoryMb / 1024);
  return gbSeconds * ARM64_USD_PER_GB_SECOND * 1e6 + USD_PER_MILLION_REQUESTS;
}
