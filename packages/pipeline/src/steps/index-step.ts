import { schema } from "@jonquils/core";
import { eq, sql } from "drizzle-orm";
import type { JobRef, PipelineDeps } from "./deps";

/** Writes the search documents of the track, its artist and its album. */
export async function indexTrack(
  deps: PipelineDeps,
  input: { job: JobRef; trackId: string },
): Promise<void> {
  const t = schema.tracks;
  const [row] = await deps.db
    .select({
      id: t.id,
      title: t.title,
      year: t.year,
      popularity: t.popularity,
      artistId: schema.artists.id,
      artistName: schema.artists.name,
      albumId: schema.albums.id,
      albumTitle: schema.albums.title,
      genre: schema.genres.name,
    })
    .from(t)
    .innerJoin(schema.artists, eq(schema.artists.id, t.artistId))
    .leftJoin(schema.albums, eq(schema.albums.id, t.albumId))
    .leftJoin(schema.genres, eq(schema.genres.id, t.genreId))
    .where(eq(t.id, input.trackId))
    .limit(1);
  if (!row) return; // deleted meanwhile: nothing to index
  const docs = [
    {
      kind: "track",
      id: row.id,
      title: row.title,
      body: [row.artistName, row.albumTitle, row.genre, row.year].filter(Boolean).join(" "),
      popularity: row.popularity,
    },
    { kind: "artist", id: row.artistId, title: row.artistName, body: "", popularity: 0 },
    ...(row.albumId && row.albumTitle
      ? [
          {
            kind: "album",
            id: row.albumId,
            title: row.albumTitle,
            body: row.artistName,
            popularity: 0,
          },
        ]
      : []),
  ];
  const d = schema.searchDocuments;
  await deps.db
    .insert(d)
    .values(docs)
    .onConflictDoUpdate({
      target: [d.kind, d.id],
      set: {
        title: sql`excluded.title`,
        body: sql`excluded.body`,
        popularity: sql`excluded.popularity`,
        updatedAt: new Date(),
      },
    });
}
