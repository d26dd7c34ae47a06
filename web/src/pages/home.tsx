import { useState } from "react";
import { Link, useLocation } from "react-router-dom";
import { listGenres, listTracks, popularTracks } from "../api/endpoints";
import { useAuth } from "../auth/auth";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { TrackList } from "../components/track-list";
import { pick, useAsync, type AsyncState } from "../components/use-async";
import { useTitle } from "../components/use-title";
import type { Track } from "../api/types";

function Shelf({
  title,
  state,
  empty,
}: {
  title: string;
  state: AsyncState<Track[]>;
  empty: string;
}) {
  const id = title.toLowerCase().replace(/\W+/g, "-");
  return (
    <section aria-labelledby={id} className="shelf">
      <h2 id={id}>{title}</h2>
      {pick(state) === "loading" && <Loading />}
      {pick(state) === "error" && <ErrorMessage error={state.error} retry={state.reload} />}
      {pick(state) === "ready" &&
        (state.data!.length === 0 ? (
          <Empty>{empty}</Empty>
        ) : (
          <TrackList tracks={state.data!} label={title} />
        ))}
    </section>
  );
}

export function HomePage() {
  // Straight after sign-up the greeting is a first one, not "welcome back".
  const welcome = Boolean((useLocation().state as { welcome?: boolean } | null)?.welcome);
  useTitle(undefined);
  const { user } = useAuth();
  const popular = useAsync(() => popularTracks(10), []);
  const fresh = useAsync(() => listTracks({ sort: "newest", limit: 10 }).then((p) => p.items), []);
  const genres = useAsync(() => listGenres(), []);
  const [genre, setGenre] = useState<string | null>(null);
  const byGenre = useAsync(
    () => (genre ? listTracks({ genre, limit: 10 }).then((p) => p.items) : Promise.resolve([])),
    [genre],
  );

  return (
    <div className="home">
      <section className="hero">
        <h1>
          {user
            ? `${welcome ? "Welcome" : "Welcome back"}, ${user.username}`
            : "Music, straight from the artists"}
        </h1>
        {!user && (
          <p>
            <Link to="/register" className="button">
              Create a free account
            </Link>{" "}
            to make playlists, see your listening stats and upload your own tracks.
          </p>
        )}
      </section>
      <div className="shelves">
        <Shelf
          title="Popular"
          state={popular}
          empty="No tracks yet. Artists can upload in the Studio."
        />
        <Shelf title="New releases" state={fresh} empty="Nothing new yet." />
      </div>
      <section aria-labelledby="by-genre" className="shelf">
        <h2 id="by-genre">By genre</h2>
        {pick(genres) === "loading" && <Loading />}
        {pick(genres) === "error" && <ErrorMessage error={genres.error} retry={genres.reload} />}
        {pick(genres) === "ready" && (
          <div className="chips" role="group" aria-label="Genres">
            {genres
              .data!.filter((g) => (g.trackCount ?? 1) > 0)
              .map((g) => (
                <button
                  type="button"
                  key={g.id}
                  className="chip"
                  aria-pressed={genre === g.slug}
                  onClick={() => setGenre(genre === g.slug ? null : g.slug)}
                >
                  {g.name}
                </button>
              ))}
          </div>
        )}
        {genre &&
          (pick(byGenre) === "loading" ? (
            <Loading />
          ) : pick(byGenre) === "error" ? (
            <ErrorMessage error={byGenre.error} retry={byGenre.reload} />
          ) : byGenre.data!.length === 0 ? (
            <Empty>No tracks in this genre yet.</Empty>
          ) : (
            <TrackList tracks={byGenre.data!} label={`Tracks in ${genre}`} />
          ))}
      </section>
    </div>
  );
}
