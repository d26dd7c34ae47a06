import { Link, useParams } from "react-router-dom";
import { getTrack, likedTracks, similarTracks } from "../api/endpoints";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { TrackList } from "../components/track-list";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { plural } from "../format";
import { useLibrary } from "../library/library";
import { usePlayer } from "../player/player";

/** "Liked songs": every track the listener gave a heart, newest like first. */
export function LikedSongsPage() {
  useTitle("Liked songs");
  const library = useLibrary();
  const player = usePlayer();
  // Reloaded when a heart changes anywhere (an unliked song leaves the list).
  const state = useAsync(() => likedTracks({ limit: 100 }), [library.version]);
  const tracks = state.data?.items.map((i) => i.track) ?? [];
  return (
    <div>
      <p className="eyebrow">Playlist</p>
      <h1>Liked songs</h1>
      {pick(state) === "loading" && <Loading />}
      {pick(state) === "error" && <ErrorMessage error={state.error} retry={state.reload} />}
      {pick(state) === "ready" &&
        (tracks.length === 0 ? (
          <Empty>
            No liked songs yet. Tap the heart beside any track and it lands here — and in your
            player apps as starred.
          </Empty>
        ) : (
          <>
            <p className="muted">{plural(tracks.length, "track")}</p>
            <div className="actions">
              <button
                type="button"
                disabled={!tracks.some((t) => t.hasAudio)}
                onClick={() => player.playTracks(tracks)}
              >
                Play all
              </button>
            </div>
            <TrackList tracks={tracks} label="Liked songs" />
          </>
        ))}
      {library.error && (
        <p className="form-error" role="alert">
          {library.error}
        </p>
      )}
    </div>
  );
}

/** "More like this": a radio of the tracks nearest the seed in sound (and co-listening). */
export function RadioPage() {
  const { id = "" } = useParams();
  const seed = useAsync(() => getTrack(id), [id]);
  const similar = useAsync(() => similarTracks(id, 30), [id]);
  const player = usePlayer();
  useTitle(seed.data ? `More like ${seed.data.title}` : "More like this");
  if (pick(seed) === "loading") return <Loading />;
  if (pick(seed) === "error") return <ErrorMessage error={seed.error} retry={seed.reload} />;
  const s = seed.data!;
  const items = similar.data?.items ?? [];
  const radio = [s, ...items.map((i) => i.track)];
  return (
    <div>
      <p className="eyebrow">Radio</p>
      <h1>More like “{s.title}”</h1>
      <p className="muted">
        Nearest in tempo, energy, mood, loudness and genre to{" "}
        <Link to={`/tracks/${s.id}`}>{s.title}</Link> by{" "}
        <Link to={`/artists/${s.artist.id}`}>{s.artist.name}</Link>, blended with what its listeners
        also play.
      </p>
      {pick(similar) === "loading" && <Loading label="Finding similar tracks…" />}
      {pick(similar) === "error" && <ErrorMessage error={similar.error} retry={similar.reload} />}
      {pick(similar) === "ready" &&
        (items.length === 0 ? (
          <Empty>Nothing close enough yet: the catalog needs more analysed tracks.</Empty>
        ) : (
          <>
            <div className="actions">
              <button
                type="button"
                disabled={!radio.some((t) => t.hasAudio)}
                onClick={() => player.playTracks(radio)}
              >
                Play radio
              </button>
            </div>
            <TrackList tracks={items.map((i) => i.track)} label={`More like ${s.title}`} />
          </>
        ))}
    </div>
  );
}
