// Every benchmark figure that has a target goes through `target()`: it prints the figure beside its
// target and marks the process failed when the target is missed, so `npm run bench` exits non-zero
// the day a regression lands (it is not part of `npm test`: timings are never test assertions).
/** @type {string[]} */
const misses = [];

/**
 * Prints `label: value (target >= min) OK|BELOW TARGET` and records a miss.
 * `format` renders the value and the target alike (e.g. ratio => `${r.toFixed(2)}x`).
 * @param {string} label
 * @param {number} value
 * @param {number} min
 * @param {(n: number) => string} [format]
 */
export function target(label, value, min, format = String) {
  const ok = Number.isFinite(value) && value >= min;
  console.log(`  ${label}: ${format(value)}  (target >= ${format(min)}) ${ok ? 'OK' : 'BELOW TARGET'}`);
  if (!ok) {
    misses.push(label);
    process.exitCode = 1;
  }
  return ok;
}

/** The labels of the targets missed so far in this process. */
export function missedTargets() {
  return [...misses];
}

/** @param {number} digits @returns {(r: number) => string} */
export const ratio = (digits) => (r) => `${r.toFixed(digits)}x`;
/** @param {number} n */
export const perSecond = (n) => `${Math.round(n).toLocaleString('en-US')} events/s`;

/**
 * Like target() for a figure that must stay at or under `max` (seconds, megabytes).
 * @param {string} label
 * @param {number} value
 * @param {number} max
 * @param {(n: number) => string} [format]
 */
export function atMost(label, value, max, format = String) {
  const ok = Number.isFinite(value) && value <= max;
  console.log(`  ${label}: ${format(value)}  (target <= ${format(max)}) ${ok ? 'OK' : 'BELOW TARGET'}`);
  if (!ok) {
    misses.push(label);
    process.exitCode = 1;
  }
  return ok;
}
