// Preloaded (`node --import`) into a benchmarked process: writes its peak RSS in bytes to the file
// named by SL_BENCH_RSS_FILE when it exits (process.resourceUsage().maxRSS is in KiB).
import { writeFileSync } from 'node:fs';

const file = process.env.SL_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
