import { and, asc, eq, sql } from "drizzle-orm";
import { recordAudit } from "../audit/audit";
import { raiseRoleToArtist } from "../auth/role";
import type { Actor, Ctx } from "../context";
import { toDomainError } from "../db/errors";
import type { Executor } from "../db/types";
import { CommonErrors } from "../errors";
import { transaction } from "../db/transaction";
import { toPage, type Page, type PageQuery } from "../util/page";
import { cleanText, nameKey } from "../util/text";
import { artists } from "./artist.sql";
import { ArtistErrors } from "./errors";

export { ArtistErrors } from "./errors";

export interface ArtistView {
  id: string;
  name: string;
  bio: string | null;
  country: string | null;
  imageUrl: string | null;
  userId: string | null;
  createdAt: string;
}

type ArtistRow = typeof artists.$inferSelect;

export const toArtistView = (a: ArtistRow): ArtistView => ({
  id: a.id,
  name: a.name,
  bio: a.bio,
  country: a.country,
  imageUrl: a.imageUrl,
  userId: a.userId,
  createdAt: a.createdAt.toISOString(),
});

export interface CreateArtistInput {
  name: string;
  bio?: string | null | undefined;
  country?: string | null | undefined;
  imageUrl?: string | null | undefined;
  /** Admins may create an artist not linked to any account. */
  unlinked?: boolean | undefined;
}

export interface ListArtistsQuery extends PageQuery {
  q?: string | undefined;
}

export async function listArtists(ctx: Ctx, query: ListArtistsQuery): Promise<Page<ArtistView>> {
  const rows = await ctx.db
    .select()
    .from(artists)
    .where(
      query.q
        ? sql`${artists.nameKey} like ${"%" + escapeLike(nameKey(query.q)) + "%"}`
        : undefined,
    )
    .orderBy(asc(artists.nameKey), asc(artists.id))
    .limit(query.limit + 1)
    .offset(query.offset);
  return toPage(rows.map(toArtistView), query);
}

export async function getArtist(ctx: Pick<Ctx, "db">, id: string): Promise<ArtistView> {
  const [row] = await ctx.db.select().from(artists).where(eq(artists.id, id)).limit(1);
  if (!row) throw CommonErrors.notFound("artist", id);
  return toArtistView(row);
}

/** A user becomes an artist: the profile is linked to the account and the role is raised. */
export async function createArtist(
  ctx: Ctx,
  actor: Actor,
  input: CreateArtistInput,
): Promise<ArtistView> {
  const unlinked = input.unlinked === true;
  if (unlinked && actor.role !== "admin")
    throw CommonErrors.forbidden("Only admins can create artists not linked to an account.");
  const name = cleanText(input.name);
  let view: ArtistView;
  try {
    view = await transaction(ctx, async (tx, effects) => {
      const [row] = await tx
        .insert(artists)
        .values({
          name,
          nameKey: nameKey(name),
          bio: input.bio ?? null,
          country: input.country?.toUpperCase() ?? null,
          imageUrl: input.imageUrl ?? null,
          userId: unlinked ? null : actor.userId,
        })
        .returning();
      if (!row) throw new Error("insert returned no row");
      if (!unlinked) await raiseRoleToArtist(tx, actor.userId);
      await recordAudit(tx, ctx.meta, actor, {
        action: "artist.create",
        entityType: "artist",
        entityId: row.id,
        details: { name },
      });
      effects.syncSearch({ artists: [row.id] });
      return toArtistView(row);
    });
  } catch (error) {
    throw (
      toDomainError(error, {
        unique: (constraint) =>
          constraint === "artists_user_id_key"
            ? ArtistErrors.alreadyArtist()
            : ArtistErrors.nameTaken(name),
      }) ?? error
    );
  }
  return view;
}

/**
 * The artist of that name (names merge by normalised name), created if there is none, in the
 * caller's transaction: Load files an admin's upload under its tagged artist and album artist.
 */
export async function findOrCreateArtistNamed(tx: Executor, name: string): Promise<string> {
  const [row] = await tx
    .insert(artists)
    .values({ name, nameKey: nameKey(name) })
    .onConflictDoUpdate({ target: artists.nameKey, set: { updatedAt: new Date() } })
    .returning({ id: artists.id });
  return row!.id;
}

/**
 * The artist an actor may write for. Admins may name any artist (or fall back to
 * their own profile); everyone else writes only for the artist linked to their account.
 */
export async function resolveWritableArtist(
  db: Executor,
  actor: Actor,
  requested?: string | null,
): Promise<string> {
  if (actor.role === "admin") {
    if (requested) {
      await getArtist({ db }, requested);
      return requested;
    }
  }
  const own = await ownArtistId(db, actor.userId);
  if (actor.role === "admin" && !own) throw ArtistErrors.artistIdRequired();
  if (!own) throw ArtistErrors.artistRequired();
  if (requested && requested !== own) throw ArtistErrors.notOwner();
  return own;
}

export async function ownArtistId(db: Executor, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: artists.id })
    .from(artists)
    .where(eq(artists.userId, userId))
    .limit(1);
  return row?.id ?? null;
}

/** Throws unless the actor is an admin or the account linked to the artist. */
export async function assertOwnsArtist(
  db: Executor,
  actor: Actor,
  artistId: string,
): Promise<void> {
  if (actor.role === "admin") return;
  const [row] = await db
    .select({ id: artists.id })
    .from(artists)
    .where(and(eq(artists.id, artistId), eq(artists.userId, actor.userId)))
    .limit(1);
  if (!row) throw ArtistErrors.notOwner();
}

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => "\\" + m);
