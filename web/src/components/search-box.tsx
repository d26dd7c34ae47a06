import { useEffect, useId, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { suggest as defaultSuggest, type Suggestion } from "../api/search";

const DEBOUNCE_MS = 200;

/**
 * The header search: suggestions as you type (ARIA combobox: arrows move, Enter picks,
 * Escape closes); Enter without a pick searches for the text.
 */
export function SearchBox({
  suggest = defaultSuggest,
  initial = "",
}: {
  suggest?: (q: string, signal?: AbortSignal) => Promise<Suggestion[]>;
  initial?: string;
}) {
  const navigate = useNavigate();
  const id = useId();
  const listId = `${id}-list`;
  const [text, setText] = useState(initial);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [failed, setFailed] = useState(false);
  const typed = useRef(false);

  useEffect(() => {
    const q = text.trim();
    if (!typed.current || q.length < 2) {
      setItems([]);
      return;
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      suggest(q, ctrl.signal).then(
        (s) => {
          setItems(s);
          setFailed(false);
          setActive(-1);
          setOpen(true);
        },
        () => {
          if (!ctrl.signal.aborted) {
            setItems([]);
            setFailed(true);
          }
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [text, suggest]);

  const go = (s: Suggestion | null) => {
    setOpen(false);
    typed.current = false;
    if (s && s.kind !== "query" && s.id) {
      void navigate(`/${s.kind}s/${s.id}`);
      return;
    }
    const q = (s?.label ?? text).trim();
    if (s) setText(s.label);
    if (q) void navigate(`/search?q=${encodeURIComponent(q)}`);
  };

  const showList = open && items.length > 0;

  return (
    <form
      role="search"
      className="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        go(active >= 0 ? (items[active] ?? null) : null);
      }}
    >
      <label htmlFor={`${id}-input`} className="visually-hidden">
        Search tracks, artists and albums
      </label>
      <input
        id={`${id}-input`}
        type="search"
        placeholder="Search music"
        autoComplete="off"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
        value={text}
        onChange={(e) => {
          typed.current = true;
          setText(e.target.value);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && items.length > 0) {
            e.preventDefault();
            setOpen(true);
            setActive((a) => (a + 1) % items.length);
          } else if (e.key === "ArrowUp" && items.length > 0) {
            e.preventDefault();
            setActive((a) => (a <= 0 ? items.length - 1 : a - 1));
          } else if (e.key === "Escape" && showList) {
            // Close the list first; a second Escape clears the field as usual.
            e.preventDefault();
            setOpen(false);
            setActive(-1);
          }
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <button type="submit">Search</button>
      <ul
        id={listId}
        role="listbox"
        aria-label="Suggestions"
        className="suggestions"
        hidden={!showList}
      >
        {items.map((s, i) => (
          <li
            key={`${s.kind}-${s.id ?? s.label}-${i}`}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => {
              e.preventDefault();
              go(s);
            }}
          >
            <span>
              {s.label}
              {s.subtitle && <span className="muted"> · {s.subtitle}</span>}
            </span>
            {s.kind !== "query" && <span className="tag">{s.kind}</span>}
          </li>
        ))}
      </ul>
      {failed && (
        <span className="visually-hidden" role="status">
          Suggestions are unavailable right now.
        </span>
      )}
    </form>
  );
}
