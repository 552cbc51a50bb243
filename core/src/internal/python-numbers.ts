/*
 * The service's token calculators are Python. Python's round() sends halves to the even neighbour,
 * where Math.round sends them up, so 48 px / 32 = 1.5 becomes 2 in both but 80 px / 32 = 2.5 becomes
 * 2 in Python and 3 in JavaScript. These helpers reproduce Python's results exactly.
 */

/** Python 3 round(): nearest integer, halves to even. */
export function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  // Exact for every double below 2^52: the fractional part of a double is itself representable.
  const fraction = value - floor;
  if (fraction > 0.5) {
    return floor + 1;
  }
  if (fraction < 0.5) {
    return floor;
  }
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The multiple of `factor` nearest to `value` (Python's round_by_factor). */
export function roundByFactor(value: number, factor: number): number {
  return roundHalfToEven(value / factor) * factor;
}

/** The smallest multiple of `factor` not below `value`. */
export function ceilByFactor(value: number, factor: number): number {
  return Math.ceil(value / factor) * factor;
}

/** The largest multiple of `factor` not above `value`. */
export function floorByFactor(value: number, factor: number): number {
  return Math.floor(value / factor) * factor;
}

/** Python int() on a float: truncates toward zero. */
export function pythonInt(value: number): number {
  return Math.trunc(value);
}
