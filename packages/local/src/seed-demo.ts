import type { Runtime } from "@jonquils/core";
import { createAlbum } from "@jonquils/core/album/index";
import { createArtist } from "@jonquils/core/artist/index";
import { addPlaylistTrack, createPlaylist } from "@jonquils/core/playlist/index";
import { createTrack } from "@jonquils/core/track/index";
import { schema } from "@jonquils/core";
import { hashPassword } from "@jonquils/core/auth/password";
import { count, eq, sql } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface DemoAccount {
  username: string;
  email: string;
  password: string;
  role: "user" | "artist" | "admin";
}

interface DemoArtist {
  account: string;
  name: string;
  country: string;
  bio: string;
  albums: {
    title: string;
    year: number;
    genre: string;
    tracks: [string, number, number, number, number][];
  }[];
}

// [title, duration s, tempo, energy, valence]
const catalog: DemoArtist[] = [
  {
    account: "nadia",
    name: "Nadia Lindqvist",
    country: "SE",
    bio: "Nordic electronic producer; slow builds and bright synths.",
    albums: [
      {
        title: "Northern Static",
        year: 2023,
        genre: "electronic",
        tracks: [
          ["Aurora Drift", 245, 122, 0.72, 0.61],
          ["Ice Harbour", 212, 118, 0.64, 0.42],
          ["Midnight Sun Protocol", 301, 126, 0.81, 0.7],
          ["Snowfield", 198, 96, 0.38, 0.35],
        ],
      },
      {
        title: "Lowlight",
        year: 2025,
        genre: "ambient",
        tracks: [
          ["Breath of Pines", 356, 70, 0.2, 0.3],
          ["Glass Lake", 280, 64, 0.18, 0.44],
          ["Ember", 240, 80, 0.31, 0.52],
        ],
      },
    ],
  },
  {
    account: "belye",
    name: "Белые Ночи",
    country: "RU",
    bio: "Инди-рок из Санкт-Петербурга.",
    albums: [
      {
        title: "Разводные мосты",
        year: 2021,
        genre: "indie",
        tracks: [
          ["Звёздная пыль", 214, 132, 0.77, 0.58],
          ["Ёлка во дворе", 187, 140, 0.83, 0.74],
          ["Невский проспект", 233, 110, 0.66, 0.49],
        ],
      },
      {
        title: "Café Société",
        year: 2024,
        genre: "rock",
        tracks: [
          ["Crème Brûlée", 199, 150, 0.88, 0.81],
          ["Sérénade", 262, 98, 0.45, 0.38],
          ["Déjà Vu", 221, 128, 0.74, 0.63],
          ["Çok Uzak", 205, 124, 0.7, 0.66],
        ],
      },
    ],
  },
  {
    account: "miles",
    name: "The Miles Trio",
    country: "US",
    bio: "Piano, upright bass and brushes.",
    albums: [
      {
        title: "Blue Hour Sessions",
        year: 2019,
        genre: "jazz",
        tracks: [
          ["So Late, So Blue", 372, 88, 0.33, 0.41],
          ["Walking on 52nd", 295, 168, 0.58, 0.69],
          ["Brushstrokes", 318, 112, 0.4, 0.55],
          ["Last Set", 410, 76, 0.28, 0.33],
        ],
      },
    ],
  },
];

/** Loads a small demo catalog when the database has no users. Returns the accounts it made. */
export async function seedDemoIfEmpty(runtime: Runtime): Promise<DemoAccount[] | null> {
  const { db } = runtime.ports;
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(schema.users);
  if (n > 0) return null;
  return seedDemo(runtime);
}

/**
 * Lets the server answer between seed steps. PGlite resolves its queries without leaving the
 * microtask queue, so an unbroken chain of them never lets the event loop poll sockets: the
 * seed runs after the port opens, and /health must answer meanwhile.
 */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function seedDemo(runtime: Runtime): Promise<DemoAccount[]> {
  const { ports, config } = runtime;
  const meta = { requestId: "seed-demo" };
  const ctx = { ...ports, meta };
  const password = () => randomBytes(9).toString("base64url");
  const accounts: DemoAccount[] = [
    { username: "admin", email: "admin@demo.jonquils.dev", password: password(), role: "admin" },
    ...catalog.map((a) => ({
      username: a.account,
      email: `${a.account}@demo.jonquils.dev`,
      password: password(),
      role: "artist" as const,
    })),
    {
      username: "listener",
      email: "listener@demo.jonquils.dev",
      password: password(),
      role: "user",
    },
  ];
  const ids = new Map<string, string>();
  // Demo passwords are random and written to a file beside the database, so a lower bcrypt
  // cost protects nothing less and keeps the first start quick (cost 12 is ~0.5 s a hash).
  const hashes = await Promise.all(
    accounts.map((a) => hashPassword(a.password, Math.min(config.BCRYPT_COST, 8))),
  );
  const rows = await ports.db
    .insert(schema.users)
    .values(
      accounts.map((a, i) => ({
        username: a.username,
        email: a.email,
        passwordHash: hashes[i]!,
        role: "user" as const,
      })),
    )
    .returning({ id: schema.users.id, username: schema.users.username });
  for (const row of rows) ids.set(row.username, row.id);
  await ports.db
    .update(schema.users)
    .set({ role: "admin" })
    .where(eq(schema.users.id, ids.get("admin")!));

  const genreIds = new Map(
    (
      await ports.db.select({ id: schema.genres.id, slug: schema.genres.slug }).from(schema.genres)
    ).map((g) => [g.slug, g.id]),
  );
  const trackIds: string[] = [];
  let popularity = 95;
  for (const artist of catalog) {
    const actor = { userId: ids.get(artist.account)!, role: "user" as const };
    await createArtist(ctx, actor, { name: artist.name, country: artist.country, bio: artist.bio });
    const artistActor = { ...actor, role: "artist" as const };
    for (const album of artist.albums) {
      const created = await createAlbum(ctx, artistActor, {
        title: album.title,
        releaseDate: `${album.year}-03-01`,
      });
      for (const [index, [title, seconds, tempo, energy, valence]] of album.tracks.entries()) {
        const track = await createTrack(ctx, artistActor, {
          title,
          albumId: created.id,
          genreId: genreIds.get(album.genre) ?? null,
          trackNumber: index + 1,
          discNumber: 1,
          year: album.year,
          durationMs: seconds * 1000,
          tempo,
          energy,
          valence,
          // A plausible integrated level for the energy, so the genre model can learn from the demo.
          loudness: Math.round((-30 + energy * 24) * 10) / 10,
        });
        trackIds.push(track.id);
        await ports.db
          .update(schema.tracks)
          .set({ popularity: Math.max(5, (popularity -= 4)) })
          .where(eq(schema.tracks.id, track.id));
        await breathe();
      }
    }
  }

  const listener = { userId: ids.get("listener")!, role: "user" as const };
  const favourites = await createPlaylist(ctx, listener, {
    title: "Late night favourites",
    description: "Quiet things for after midnight.",
    isPublic: true,
  });
  for (const id of trackIds.filter((_, i) => i % 2 === 0)) {
    await addPlaylistTrack(ctx, listener, favourites.id, id);
    await breathe();
  }
  const privateList = await createPlaylist(ctx, listener, { title: "Work focus", isPublic: false });
  for (const id of trackIds.slice(0, 4)) {
    await addPlaylistTrack(ctx, listener, privateList.id, id);
    await breathe();
  }
  // The tables the seed wrote, not the whole database: a bare `analyze` holds PGlite (and with it
  // the server's event loop, /health included) for 1.8–6 s on a busy machine, this one ~35 ms.
  await ports.db.execute(
    sql`analyze users, artists, albums, tracks, playlists, playlist_tracks, audit_log`,
  );

  await mkdir(config.DATA_DIR, { recursive: true });
  await writeFile(
    join(config.DATA_DIR, "demo-accounts.json"),
    JSON.stringify(accounts, null, 2) + "\n",
    { mode: 0o600 },
  );
  return accounts;
}
