import { Link } from "react-router-dom";
import { Cover } from "../components/cover";
import { Icon } from "../components/icons";
import { formatTime } from "../format";
import { LikeButton } from "../library/controls";
import { usePlayer, usePlayerPosition } from "./player";
import { SHORTCUTS } from "./use-shortcuts";

/** The seek bar: the only part of the bar that follows the playback position. */
function SeekBar({ disabled, seek }: { disabled: boolean; seek: (seconds: number) => void }) {
  const { position, duration } = usePlayerPosition();
  return (
    <div className="player-seek">
      <span className="time" aria-hidden="true">
        {formatTime(position)}
      </span>
      <input
        type="range"
        min={0}
        max={Math.max(1, Math.round(duration))}
        step={1}
        value={Math.round(position)}
        disabled={disabled}
        aria-label="Seek"
        aria-valuetext={`${formatTime(position)} of ${formatTime(duration)}`}
        aria-keyshortcuts="ArrowLeft ArrowRight"
        onChange={(e) => seek(Number(e.target.value))}
      />
      <span className="time" aria-hidden="true">
        {formatTime(duration)}
      </span>
    </div>
  );
}

const REPEAT_LABEL = { off: "Repeat: off", all: "Repeat: all", one: "Repeat: one" } as const;

/** The persistent player at the bottom of every page. */
export function PlayerBar() {
  const p = usePlayer();
  const t = p.current;
  return (
    <section className="player" aria-label="Player">
      {t ? (
        <div className="player-now">
          <Cover track={t} size={64} className="thumb" />
          <div className="player-meta">
            <Link to={`/tracks/${t.id}`} className="track-title">
              {t.title}
            </Link>
            <Link to={`/artists/${t.artist.id}`} className="track-sub">
              {t.artist.name}
            </Link>
          </div>
          <LikeButton track={t} />
        </div>
      ) : (
        <p className="player-now muted">Nothing playing. Pick a track to start.</p>
      )}
      <div className="player-controls">
        <div className="player-buttons">
          <button
            type="button"
            className="icon-button"
            onClick={p.previous}
            disabled={!t}
            aria-label="Previous track"
            aria-keyshortcuts="Shift+ArrowLeft p"
          >
            <Icon name="previous" />
          </button>
          <button
            type="button"
            className="icon-button big"
            onClick={p.toggle}
            disabled={!t}
            aria-label={p.playing ? "Pause" : "Play"}
            aria-keyshortcuts="Space k"
          >
            <Icon name={p.playing ? "pause" : "play"} size={24} />
          </button>
          <button
            type="button"
            className="icon-button"
            onClick={p.next}
            disabled={!t || (p.index >= p.queue.length - 1 && p.repeat !== "all")}
            aria-label="Next track"
            aria-keyshortcuts="Shift+ArrowRight n"
          >
            <Icon name="next" />
          </button>
          <button
            type="button"
            className="icon-button mode"
            onClick={p.toggleShuffle}
            aria-label="Shuffle"
            aria-pressed={p.shuffle}
            aria-keyshortcuts="s"
          >
            <Icon name="shuffle" />
          </button>
          <button
            type="button"
            className="icon-button mode"
            onClick={p.cycleRepeat}
            aria-label={REPEAT_LABEL[p.repeat]}
            aria-pressed={p.repeat !== "off"}
            aria-keyshortcuts="r"
          >
            <Icon name={p.repeat === "one" ? "repeatOne" : "repeat"} />
          </button>
        </div>
        <SeekBar disabled={!t} seek={p.seek} />
        {p.error && (
          <p className="player-error" role="alert">
            {p.error}
          </p>
        )}
      </div>
      <div className="player-side">
        <button
          type="button"
          className="icon-button"
          onClick={p.toggleMute}
          aria-label={p.muted ? "Unmute" : "Mute"}
          aria-pressed={p.muted}
          aria-keyshortcuts="m"
        >
          <Icon name={p.muted || p.volume === 0 ? "muted" : "volume"} />
        </button>
        <input
          type="range"
          className="volume"
          min={0}
          max={100}
          step={5}
          value={p.muted ? 0 : Math.round(p.volume * 100)}
          aria-label="Volume"
          aria-valuetext={`${Math.round(p.volume * 100)}%`}
          onChange={(e) => p.setVolume(Number(e.target.value) / 100)}
        />
        <details className="menu queue">
          <summary aria-label={`Queue, ${p.queue.length} tracks`}>
            Queue <span className="badge">{p.queue.length}</span>
          </summary>
          <div className="menu-body menu-up">
            {p.queue.length === 0 ? (
              <p className="muted">The queue is empty.</p>
            ) : (
              <ol aria-label="Queue">
                {p.queue.map((q, i) => (
                  <li key={`${q.id}-${i}`} className={i === p.index ? "current" : undefined}>
                    <button
                      type="button"
                      className="link-button"
                      aria-current={i === p.index ? "true" : undefined}
                      onClick={() => p.jumpTo(i)}
                    >
                      {q.title} — {q.artist.name}
                    </button>
                    <button
                      type="button"
                      className="icon-button small"
                      aria-label={`Remove ${q.title} from the queue`}
                      onClick={() => p.removeAt(i)}
                    >
                      <span aria-hidden="true">✕</span>
                    </button>
                  </li>
                ))}
              </ol>
            )}
            <p className="menu-heading">Sound</p>
            <label className="check">
              <input type="checkbox" checked={p.normalize} onChange={p.toggleNormalize} />
              Normalize volume
            </label>
            {p.normalize && t && (
              <p className="muted" role="status">
                {p.appliedGainDb !== null
                  ? `This track: ${p.appliedGainDb > 0 ? "+" : ""}${p.appliedGainDb.toFixed(1)} dB`
                  : "This track has no loudness measurement: played as is."}
              </p>
            )}
            <p className="menu-heading">Keyboard</p>
            <dl className="shortcuts">
              {SHORTCUTS.map((k) => (
                <div key={k.keys}>
                  <dt>{k.keys}</dt>
                  <dd>{k.does}</dd>
                </div>
              ))}
            </dl>
          </div>
        </details>
      </div>
    </section>
  );
}
