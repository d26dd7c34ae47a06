import { Link, useParams } from "react-router-dom";
import { artistAlbums, artistTracks, getAlbum, getArtist, getTrack } from "../api/endpoints";
import { Cover } from "../components/cover";
import { Empty, ErrorMessage, Loading } from "../components/states";
import { TrackList, TrackMenu } from "../components/track-list";
import { pick, useAsync } from "../components/use-async";
import { useTitle } from "../components/use-title";
import { formatDuration, plural } from "../format";
import { AlbumStarRating, LikeButton, StarRating } from "../library/controls";
import { usePlayer } from "../player/player";

export function TrackPage() {
  const { id = "" } = useParams();
  const state = useAsync(() => getTrack(id), [id]);
  const player = usePlayer();
  const t = state.data;
  useTitle(t?.title);
  if (pick(state) === "loading") return <Loading />;
  if (pick(state) === "error") return <ErrorMessage error={state.error} retry={state.reload} />;
  if (!t) return null;
  const facts: [string, string | null][] = [
    [
      "Genre",
      t.genre ? `${t.genre.name}${t.genreSource === "predicted" ? " (estimated)" : ""}` : null,
    ],
    ["Year", t.year ? String(t.year) : null],
    ["Length", formatDuration(t.durationMs)],
    ["Tempo", t.tempo ? `${Math.round(t.tempo)} BPM` : null],
    ["Energy", t.energy !== null ? `${Math.round(t.energy * 100)}%` : null],
    ["Loudness", t.loudness !== null ? `${t.loudness.toFixed(1)} LUFS` : null],
    [
      "Mood",
      t.valence !== null
        ? t.valence > 0.55
          ? "bright"
          : t.valence < 0.4
            ? "dark"
            : "balanced"
        : null,
    ],
    ["Plays", String(t.playCount)],
  ];
  return (
    <article className="detail">
      <Cover track={t} />
      <div>
        <p className="eyebrow">Track</p>
        <h1>{t.title}</h1>
        <p className="byline">
          <Link to={`/artists/${t.artist.id}`}>{t.artist.name}</Link>
          {t.album && (
            <>
              {" · "}
              <Link to={`/albums/${t.album.id}`}>{t.album.title}</Link>
            </>
          )}
        </p>
        <div className="actions">
          <button type="button" disabled={!t.hasAudio} onClick={() => player.playTracks([t])}>
            {t.hasAudio ? "Play" : "No audio yet"}
          </button>
          <LikeButton track={t} />
          <Link to={`/radio/${t.id}`} className="button secondary">
            More like this
          </Link>
          <TrackMenu track={t} />
        </div>
        <StarRating track={t} />
        <dl className="facts">
          {facts
            .filter((f): f is [string, string] => f[1] !== null)
            .map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
        </dl>
      </div>
    </article>
  );
}

export function ArtistPage() {
  const { id = "" } = useParams();
  const artist = useAsync(() => getArtist(id), [id]);
  const tracks = useAsync(() => artistTracks(id, { limit: 50 }), [id]);
  const albums = useAsync(() => artistAlbums(id), [id]);
  useTitle(artist.data?.name);
  if (pick(artist) === "loading") return <Loading />;
  if (pick(artist) === "error") return <ErrorMessage error={artist.error} retry={artist.reload} />;
  const a = artist.data!;
  return (
    <article>
      <div className="detail">
        {/* An artist's image: the art of one of their releases (generated art only as a last resort). */}
        {pick(tracks) === "ready" && tracks.data!.items.length > 0 && (
          <Cover
            track={tracks.data!.items.find((t) => t.coverUrl) ?? tracks.data!.items[0]!}
            of={a.name}
          />
        )}
        <div>
          <p className="eyebrow">Artist</p>
          <h1>{a.name}</h1>
          {a.bio && <p className="bio">{a.bio}</p>}
          {a.country && <p className="muted">Country: {a.country}</p>}
        </div>
      </div>
      <section aria-labelledby="artist-albums">
        <h2 id="artist-albums">Albums</h2>
        {pick(albums) === "loading" && <Loading />}
        {pick(albums) === "error" && <ErrorMessage error={albums.error} retry={albums.reload} />}
        {pick(albums) === "ready" &&
          (albums.data!.items.length === 0 ? (
            <Empty>No albums yet.</Empty>
          ) : (
            <ul className="cards">
              {albums.data!.items.map((al) => (
                <li key={al.id} className="card">
                  <Link to={`/albums/${al.id}`}>
                    <strong>{al.title}</strong>
                  </Link>
                  <span className="muted">
                    {al.releaseDate?.slice(0, 4) ?? "—"} · {plural(al.trackCount, "track")}
                  </span>
                </li>
              ))}
            </ul>
          ))}
      </section>
      <section aria-labelledby="artist-tracks">
        <h2 id="artist-tracks">Tracks</h2>
        {pick(tracks) === "loading" && <Loading />}
        {pick(tracks) === "error" && <ErrorMessage error={tracks.error} retry={tracks.reload} />}
        {pick(tracks) === "ready" &&
          (tracks.data!.items.length === 0 ? (
            <Empty>No tracks yet.</Empty>
          ) : (
            <TrackList tracks={tracks.data!.items} label={`Tracks by ${a.name}`} />
          ))}
      </section>
    </article>
  );
}

export function AlbumPage() {
  const { id = "" } = useParams();
  const album = useAsync(() => getAlbum(id), [id]);
  const player = usePlayer();
  useTitle(album.data?.title);
  if (pick(album) === "loading") return <Loading />;
  if (pick(album) === "error") return <ErrorMessage error={album.error} retry={album.reload} />;
  const a = album.data!;
  // The album's cover is its tracks' embedded art: the first track that has some.
  const first = a.tracks.find((t) => t.coverUrl) ?? a.tracks[0];
  return (
    <article>
      <div className="detail">
        {first ? <Cover track={first} of={a.title} /> : null}
        <div>
          <p className="eyebrow">Album</p>
          <h1>{a.title}</h1>
          <p className="byline">
            <Link to={`/artists/${a.artist.id}`}>{a.artist.name}</Link>
            {a.releaseDate && ` · ${a.releaseDate.slice(0, 4)}`} · {plural(a.trackCount, "track")}
          </p>
          <button
            type="button"
            disabled={!a.tracks.some((t) => t.hasAudio)}
            onClick={() => player.playTracks(a.tracks)}
          >
            Play album
          </button>
          <AlbumStarRating album={a} />
        </div>
      </div>
      {a.tracks.length === 0 ? (
        <Empty>This album has no tracks yet.</Empty>
      ) : (
        <TrackList tracks={a.tracks} label={`Tracks of ${a.title}`} showAlbum={false} />
      )}
    </article>
  );
}
