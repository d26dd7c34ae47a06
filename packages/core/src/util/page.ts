/** Offset pagination that never counts the whole table: one extra row says whether more exist. */
export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  nextOffset: number | null;
}

export interface PageQuery {
  limit: number;
  offset: number;
}

export function toPage<T>(rows: T[], query: PageQuery): Page<T> {
  const hasMore = rows.length > query.limit;
  return {
    items: hasMore ? rows.slice(0, query.limit) : rows,
    limit: query.limit,
    offset: query.offset,
    nextOffset: hasMore ? query.offset + query.limit : null,
  };
}
