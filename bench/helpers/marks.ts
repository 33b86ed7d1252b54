/** Marks the line of a suite's output that carries its results to bench/run.ts. */
export const RESULT_MARK = 'BENCH_RESULTS ';
