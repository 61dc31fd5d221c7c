// Preloaded (`node --import`) into a benchmarked process: writes its peak RSS in bytes and the CPU
// seconds it used (user + system) as JSON to the file named by SL_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.SL_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ rss: usage.maxRSS * 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
  });
}
