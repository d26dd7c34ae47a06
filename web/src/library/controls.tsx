import { useEffect, useState } from "react";
import { messageOf } from "../api/problem";
import { api } from "../api/typed";
import { useAuth } from "../auth/auth";
import type { Track } from "../api/types";
import { Icon } from "../components/icons";
import { useLibrary } from "./library";

/** The heart: adds the track to (or removes it from) the listener's Liked songs. */
export function LikeButton({ track }: { track: Pick<Track, "id" | "title"> }) {
  const { user } = useAuth();
  const library = useLibrary();
  if (!user) return null;
  const liked = library.isLiked(track.id);
  return (
    <button
      type="button"
      className={liked ? "icon-button like liked" : "icon-button like"}
      aria-pressed={liked}
      aria-label={`Like ${track.title}`}
      title={liked ? "Remove from Liked songs" : "Add to Liked songs"}
      onClick={() => void library.toggleLike(track)}
    >
      <Icon name={liked ? "heart" : "heartOutline"} size={18} />
    </button>
  );
}

/** 1–5 stars as a radio group (arrow keys move, the same star again clears). */
export function StarRating({ track }: { track: Pick<Track, "id" | "title"> }) {
  const { user } = useAuth();
  const library = useLibrary();
  const { loadRating } = library;
  useEffect(() => {
    if (user) loadRating(track.id);
  }, [track.id, user, loadRating]);
  if (!user) return null;
  const rating = library.ratingOf(track.id);
  return (
    <div className="stars" role="radiogroup" aria-label={`Your rating of ${track.title}`}>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          role="radio"
          aria-checked={rating === n}
          aria-label={`${n} star${n === 1 ? "" : "s"}`}
          tabIndex={rating === n || (rating === null && n === 1) ? 0 : -1}
          className={rating !== null && n <= rating ? "star on" : "star"}
          onClick={() => void library.rate(track, rating === n ? null : n)}
          onKeyDown={(e) => {
            const to =
              e.key === "ArrowRight" || e.key === "ArrowUp"
                ? Math.min(5, (rating ?? 0) + 1)
                : e.key === "ArrowLeft" || e.key === "ArrowDown"
                  ? Math.max(1, (rating ?? 2) - 1)
                  : null;
            if (to === null) return;
            e.preventDefault();
            void library.rate(track, to);
            const group = e.currentTarget.parentElement;
            requestAnimationFrame(() =>
              group?.querySelectorAll<HTMLButtonElement>("button")[to - 1]?.focus(),
            );
          }}
        >
          <Icon name="star" size={18} />
        </button>
      ))}
      {rating !== null && (
        <button
          type="button"
          className="link-button"
          onClick={() => void library.rate(track, null)}
        >
          Clear rating
        </button>
      )}
    </div>
  );
}

/** An album's 1–5 stars: read from and saved to the account (GET/PUT /albums/{id}/rating). */
export function AlbumStarRating({ album }: { album: { id: string; title: string } }) {
  const { user } = useAuth();
  const [rating, setRating] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!user) return;
    let live = true;
    api.get("/api/v1/albums/{id}/rating", { path: { id: album.id } }).then(
      (r) => live && setRating(r.rating),
      () => undefined, // no stars shown as set: rating still works
    );
    return () => {
      live = false;
    };
  }, [album.id, user]);
  if (!user) return null;
  const rate = (value: number | null) => {
    const before = rating;
    setRating(value);
    setError(null);
    api
      .put("/api/v1/albums/{id}/rating", { path: { id: album.id }, body: { rating: value } })
      .catch((e: unknown) => {
        setRating(before);
        setError(messageOf(e));
      });
  };
  return (
    <div className="stars" role="radiogroup" aria-label={`Your rating of ${album.title}`}>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          role="radio"
          aria-checked={rating === n}
          aria-label={`${n} star${n === 1 ? "" : "s"}`}
          tabIndex={rating === n || (rating === null && n === 1) ? 0 : -1}
          className={rating !== null && n <= rating ? "star on" : "star"}
          onClick={() => rate(rating === n ? null : n)}
        >
          <Icon name="star" size={18} />
        </button>
      ))}
      {rating !== null && (
        <button type="button" className="link-button" onClick={() => rate(null)}>
          Clear rating
        </button>
      )}
      {error && (
        <span className="form-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
