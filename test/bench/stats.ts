/** Quantiles for the benchmarks: the sample at rank floor(q·n) of the sorted samples (q in 0..1). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}
