// Preloaded into benchmarked processes: reports the process's own peak resident memory on exit.
process.on("exit", () => {
  const maxRssKb = process.resourceUsage().maxRSS;
  process.stderr.write(`\nBENCH_MAX_RSS_KB=${maxRssKb}\n`);
});
