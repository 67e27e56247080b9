/** Writes the bench's wrangler config (made from wrangler.toml) and returns its path from the repository root. */
export function writeBenchConfig(): string;
export const BENCH_CONFIG: string;
