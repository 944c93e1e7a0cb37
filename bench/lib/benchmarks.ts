/** The benchmarks, in the order `npm run bench` runs them (each is bench/<name>.ts). */
export const BENCHMARKS = [
  "landing",
  "memory",
  "incremental",
  "passback",
  "run",
  "seed-style",
  "startup",
  "peers",
] as const;
