/** The part of autocannon's API the workload uses (the package ships no types; @types would be a new dependency). */
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    maxOverallRequests?: number;
    duration?: number;
    timeout?: number;
    method?: string;
  }
  interface Result {
    start: Date;
    finish: Date;
    requests: { total: number; average: number };
    latency: { mean: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export = autocannon;
}
