import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";
import { getTrackRating, likedTracks, likeTrack, rateTrack, unlikeTrack } from "../api/endpoints";
import { messageOf } from "../api/problem";
import type { Track } from "../api/types";
import { useAuth } from "../auth/auth";

/** Likes are read this many pages of 100 deep (10 000 liked songs) to know which hearts are full. */
const MAX_LIKE_PAGES = 100;

export interface Library {
  /** Whether the signed-in listener liked the track (false while unknown or signed out). */
  isLiked: (trackId: string) => boolean;
  /** Likes or unlikes at once (the heart answers before the API); undone if the API refuses. */
  toggleLike: (track: Pick<Track, "id" | "title">) => Promise<void>;
  /** The listener's 1–5 rating of a track, once read from the account (null: unrated or unknown). */
  ratingOf: (trackId: string) => number | null;
  /** Reads the listener's rating of a track from the account (GET /tracks/{id}/rating). */
  loadRating: (trackId: string) => void;
  rate: (track: Pick<Track, "id" | "title">, rating: number | null) => Promise<void>;
  /** The last failure, in words (shown by the page that asked). */
  error: string | null;
  /** Bumped on every change of likes: the Liked songs page reloads on it. */
  version: number;
}

const LibraryContext = createContext<Library | null>(null);

/**
 * The listener's likes and ratings, both read from the account: likes from GET /me/likes (every
 * page), a track's rating when its stars are shown (GET /tracks/{id}/rating) — the same ratings
 * smart playlists and the player apps use.
 */
export function LibraryProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const userId = user?.id ?? null;
  const [liked, setLiked] = useState<ReadonlySet<string>>(new Set());
  const [ratings, setRatings] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    setLiked(new Set());
    setRatings({});
    if (!userId) return;
    let live = true;
    void (async () => {
      const ids = new Set<string>();
      let offset: number | null = 0;
      for (let page = 0; offset !== null && page < MAX_LIKE_PAGES && live; page++) {
        const res = await likedTracks({ limit: 100, offset });
        for (const item of res.items) ids.add(item.track.id);
        offset = res.nextOffset;
      }
      if (live) setLiked(ids);
    })().catch((e: unknown) => live && setError(messageOf(e)));
    return () => {
      live = false;
    };
  }, [userId]);

  const toggleLike = useCallback(
    async (track: Pick<Track, "id" | "title">) => {
      const was = liked.has(track.id);
      const flip = (on: boolean) =>
        setLiked((prev) => {
          const next = new Set(prev);
          if (on) next.add(track.id);
          else next.delete(track.id);
          return next;
        });
      flip(!was);
      setError(null);
      try {
        if (was) await unlikeTrack(track.id);
        else await likeTrack(track.id);
        setVersion((v) => v + 1);
      } catch (e) {
        flip(was);
        setError(`Could not ${was ? "unlike" : "like"} “${track.title}”: ${messageOf(e)}`);
      }
    },
    [liked],
  );

  const loadRating = useCallback(
    (trackId: string) => {
      if (!userId) return;
      getTrackRating(trackId).then(
        (r) =>
          setRatings((prev) => {
            const next = { ...prev };
            if (r.rating === null) delete next[trackId];
            else next[trackId] = r.rating;
            return next;
          }),
        () => undefined, // stars shown as unset; rating still works
      );
    },
    [userId],
  );

  const rate = useCallback(
    async (track: Pick<Track, "id" | "title">, rating: number | null) => {
      if (!userId) return;
      const before = ratings[track.id] ?? null;
      const apply = (value: number | null) =>
        setRatings((prev) => {
          const next = { ...prev };
          if (value === null) delete next[track.id];
          else next[track.id] = value;
          return next;
        });
      apply(rating);
      setError(null);
      try {
        await rateTrack(track.id, rating);
      } catch (e) {
        apply(before);
        setError(`Could not rate “${track.title}”: ${messageOf(e)}`);
      }
    },
    [userId, ratings],
  );

  const value = useMemo<Library>(
    () => ({
      isLiked: (id) => liked.has(id),
      toggleLike,
      ratingOf: (id) => ratings[id] ?? null,
      loadRating,
      rate,
      error,
      version,
    }),
    [liked, toggleLike, ratings, loadRating, rate, error, version],
  );
  return <LibraryContext.Provider value={value}>{children}</LibraryContext.Provider>;
}

const signedOut: Library = {
  isLiked: () => false,
  toggleLike: async () => undefined,
  ratingOf: () => null,
  loadRating: () => undefined,
  rate: async () => undefined,
  error: null,
  version: 0,
};

/** The library, or an inert one outside a provider (component tests of unrelated pages). */
export const useLibrary = () => useContext(LibraryContext) ?? signedOut;
