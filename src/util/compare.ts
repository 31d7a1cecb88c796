/**
 * Orders strings by UTF-16 code unit, as `Array.prototype.sort` does by default: the same order on
 * every machine. `localeCompare` depends on the ICU locale of the process (so a report or digest
 * could differ between a developer's laptop and CI), and its first call loads ICU's collator,
 * about 12 ms of the CLI's cold start.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
