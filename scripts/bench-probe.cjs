// Preloaded into benchmarked processes: reports the process's own peak resident memory and CPU time
// (user + system) on exit. CPU time is far less disturbed than wall time on a shared machine.
process.on("exit", () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nBENCH_MAX_RSS_KB=${usage.maxRSS} BENCH_CPU_US=${usage.userCPUTime + usage.systemCPUTime}\n`);
});
