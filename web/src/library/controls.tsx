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
