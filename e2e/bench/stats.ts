// Percentiles and formatting for benchmark tables.
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export const ms = (n: number): string => `${n.toFixed(3)} ms`;
export const mibps = (bytesPerSec: number): string =>
  `${(bytesPerSec / 1024 / 1024).toFixed(1)} MiB/s`;
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
