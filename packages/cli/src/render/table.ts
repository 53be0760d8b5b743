import { visibleLength } from './palette.js';

/**
 * Aligned columns without borders, as fly prints them: two spaces between columns, the last
 * column not padded so lines have no trailing spaces. Cells may hold color codes.
 */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, bold: (text: string) => string = (t) => t): string {
  const widths = header.map((title, column) => Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [line(header.map(bold)), ...rows.map(line)].map((l) => `${l}\n`).join('');
}
