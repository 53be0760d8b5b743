/** Entries a page holds: 8 KB of Float64Array. */
const PAGE_SIZE = 1024;

/**
 * Check orders by version id, in pages of a Float64Array allocated on first use. At 10× the
 * bench's scale (a million versions) a Map of them took 28 MB of heap; here each version id in a
 * page's range costs 8 bytes. Version ids are SQLite rowids, handed out densely, so the table
 * never takes more than 8 bytes per version id ever allocated. NaN marks an unknown version.
 */
export class VersionOrderTable {
  private readonly pages = new Map<number, Float64Array>();

  get(versionId: number): number | undefined {
    const order = this.pages.get(Math.floor(versionId / PAGE_SIZE))?.[versionId % PAGE_SIZE];
    return order === undefined || Number.isNaN(order) ? undefined : order;
  }

  set(versionId: number, order: number): void {
    const index = Math.floor(versionId / PAGE_SIZE);
    let page = this.pages.get(index);
    if (!page) {
      page = new Float64Array(PAGE_SIZE).fill(Number.NaN);
      this.pages.set(index, page);
    }
    page[versionId % PAGE_SIZE] = order;
  }

  delete(versionId: number): void {
    const page = this.pages.get(Math.floor(versionId / PAGE_SIZE));
    if (page) page[versionId % PAGE_SIZE] = Number.NaN;
  }

  clear(): void {
    this.pages.clear();
  }
}
