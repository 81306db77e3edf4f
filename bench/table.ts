/** Console tables: columns padded to their widest cell. */

export const fixed = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

export function printTable(head: readonly string[], lines: readonly (readonly string[])[]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  for (const line of [head, ...lines]) console.log(line.map((cell, i) => (cell ?? '').padEnd(widths[i]!)).join('  ').trimEnd());
}
