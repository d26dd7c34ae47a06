import { asc, desc, eq, or } from "drizzle-orm";
import { recordAudit } from "../audit/audit";
import type { Actor, Ctx } from "../context";
import type { Executor } from "../db/types";
import { AppError } from "../errors";
import { tracks } from "../track/track.sql";
import { listTrackViews, type TrackView } from "../track/views";
import { users } from "../user/user.sql";
import { toPage, type Page, type PageQuery } from "../util/page";
import { cleanText } from "../util/text";
import { rulesToSql, sortToSql, type SmartRules, type SmartSort } from "./rules";
import { smartPlaylists } from "./smart-playlist.sql";

export { SmartRulesSchema, SMART_SORTS, type SmartRules, type SmartSort } from "./rules";

export const MAX_SMART_TRACKS = 1000;

export const SmartPlaylistErrors = {
  notFound: (id: string) =>
    new AppError("smart_playlist_not_found", 404, `No smart playlist with id ${id}.`),
  notOwner: () => new AppError("forbidden", 403, "Only the owner can change this smart playlist."),
};

export interface SmartPlaylistView {
  id: string;
  title: string;
  description: string | null;
  isPublic: boolean;
  owner: { id: string; username: string };
  rules: SmartRules;
  sort: SmartSort;
  limit: number;
  createdAt: string;
  updatedAt: string;
}

export interface SmartPlaylistInput {
  title: string;
  description?: string | null | undefined;
  isPublic?: boolean | undefined;
  rules: SmartRules;
  sort?: SmartSort | undefined;
  limit?: number | undefined;
}

const columns = {
  id: smartPlaylists.id,
  title: smartPlaylists.title,
  description: smartPlaylists.description,
  isPublic: smartPlaylists.isPublic,
  rules: smartPlaylists.rules,
  sort: smartPlaylists.sort,
  trackLimit: smartPlaylists.trackLimit,
  ownerId: users.id,
  ownerName: users.username,
  createdAt: smartPlaylists.createdAt,
  updatedAt: smartPlaylists.updatedAt,
};

type Row = {
  id: string;
  title: string;
  description: string | null;
  isPublic: boolean;
  rules: SmartRules;
  sort: string;
  trackLimit: number;
  ownerId: string;
  ownerName: string;
  createdAt: Date;
  updatedAt: Date;
};

const toView = (r: Row): SmartPlaylistView => ({
  id: r.id,
  title: r.title,
  description: r.description,
  isPublic: r.isPublic,
  owner: { id: r.ownerId, username: r.ownerName },
  rules: r.rules,
  sort: r.sort as SmartSort,
  limit: r.trackLimit,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/** A public smart playlist for anyone; a private one only for its owner (and admins). */
export async function getSmartPlaylist(
  ctx: Pick<Ctx, "db">,
  actor: Actor | null,
  id: string,
): Promise<SmartPlaylistView> {
  const [row] = await ctx.db
    .select(columns)
    .from(smartPlaylists)
    .innerJoin(users, eq(users.id, smartPlaylists.userId))
    .where(eq(smartPlaylists.id, id))
    .limit(1);
  if (!row) throw SmartPlaylistErrors.notFound(id);
  const view = toView(row);
  if (!view.isPublic && view.owner.id !== actor?.userId && actor?.role !== "admin")
    throw SmartPlaylistErrors.notFound(id);
  return view;
}

/** The user's own smart playlists, and with `includePublic` everyone's public ones too. */
export async function listSmartPlaylists(
  ctx: Pick<Ctx, "db">,
  actor: Actor,
  page: PageQuery,
  includePublic = false,
): Promise<Page<SmartPlaylistView>> {
  const rows = await ctx.db
    .select(columns)
    .from(smartPlaylists)
    .innerJoin(users, eq(users.id, smartPlaylists.userId))
    .where(
      includePublic
        ? or(eq(smartPlaylists.userId, actor.userId), eq(smartPlaylists.isPublic, true))
        : eq(smartPlaylists.userId, actor.userId),
    )
    .orderBy(desc(smartPlaylists.updatedAt), asc(smartPlaylists.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  return toPage(rows.map(toView), page);
}

export async function createSmartPlaylist(
  ctx: Ctx,
  actor: Actor,
  input: SmartPlaylistInput,
): Promise<SmartPlaylistView> {
  const id = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(smartPlaylists)
      .values({
        userId: actor.userId,
        title: cleanText(input.title),
        description: input.description ?? null,
        isPublic: input.isPublic ?? false,
        rules: input.rules,
        sort: input.sort ?? "popularity",
        trackLimit: input.limit ?? 100,
      })
      .returning({ id: smartPlaylists.id });
    if (!row) throw new Error("insert returned no row");
    await recordAudit(tx, ctx.meta, actor, {
      action: "smart_playlist.create",
      entityType: "smart_playlist",
      entityId: row.id,
    });
    return row.id;
  });
  return getSmartPlaylist(ctx, actor, id);
}

export async function updateSmartPlaylist(
  ctx: Ctx,
  actor: Actor,
  id: string,
  patch: Partial<SmartPlaylistInput>,
): Promise<SmartPlaylistView> {
  await ctx.db.transaction(async (tx) => {
    await assertOwner(tx, actor, id);
    await tx
      .update(smartPlaylists)
      .set({
        ...(patch.title !== undefined ? { title: cleanText(patch.title) } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.isPublic !== undefined ? { isPublic: patch.isPublic } : {}),
        ...(patch.rules !== undefined ? { rules: patch.rules } : {}),
        ...(patch.sort !== undefined ? { sort: patch.sort } : {}),
        ...(patch.limit !== undefined ? { trackLimit: patch.limit } : {}),
        updatedAt: new Date(),
      })
      .where(eq(smartPlaylists.id, id));
    await recordAudit(tx, ctx.meta, actor, {
      action: "smart_playlist.update",
      entityType: "smart_playlist",
      entityId: id,
      details: { fields: Object.keys(patch) },
    });
  });
  return getSmartPlaylist(ctx, actor, id);
}

export async function deleteSmartPlaylist(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await assertOwner(tx, actor, id);
    await tx.delete(smartPlaylists).where(eq(smartPlaylists.id, id));
    await recordAudit(tx, ctx.meta, actor, {
      action: "smart_playlist.delete",
      entityType: "smart_playlist",
      entityId: id,
    });
  });
}

async function assertOwner(tx: Executor, actor: Actor, id: string) {
  const [row] = await tx
    .select({ userId: smartPlaylists.userId, isPublic: smartPlaylists.isPublic })
    .from(smartPlaylists)
    .where(eq(smartPlaylists.id, id))
    .limit(1)
    .for("update");
  if (!row) throw SmartPlaylistErrors.notFound(id);
  if (row.userId !== actor.userId && actor.role !== "admin") {
    // Someone else's private playlist does not exist for the caller.
    throw row.isPublic ? SmartPlaylistErrors.notOwner() : SmartPlaylistErrors.notFound(id);
  }
}

/** The playlist's tracks right now: its rules evaluated against the catalog, in its order. */
export async function evaluateSmartPlaylist(
  ctx: Pick<Ctx, "db">,
  playlist: Pick<SmartPlaylistView, "rules" | "sort" | "limit" | "owner">,
  page: PageQuery = { limit: MAX_SMART_TRACKS, offset: 0 },
): Promise<TrackView[]> {
  const limit = Math.max(0, Math.min(page.limit, playlist.limit - page.offset));
  if (limit === 0) return [];
  const ids = await ctx.db
    .select({ id: tracks.id })
    .from(tracks)
    .where(rulesToSql(playlist.rules, playlist.owner.id))
    .orderBy(...sortToSql[playlist.sort])
    .limit(limit)
    .offset(page.offset);
  return trackViewsInOrder(
    ctx.db,
    ids.map((r) => r.id),
  );
}

/** Track views for these ids, in the order given (missing ids dropped). */
export async function trackViewsInOrder(db: Executor, ids: string[]): Promise<TrackView[]> {
  if (ids.length === 0) return [];
  const views = new Map(
    (await listTrackViews(db, { ids }, "newest", { limit: ids.length, offset: 0 })).map((v) => [
      v.id,
      v,
    ]),
  );
  return ids.flatMap((id) => {
    const v = views.get(id);
    return v ? [v] : [];
  });
}
