const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
  "&#x27;": "'",
};
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (m) => ENTITIES[m] ?? m);

/**
 * Renders the search engine's highlight ("a <mark>match</mark> b", HTML-escaped) with real
 * <mark> elements, built as React text — the fragment is never injected as HTML.
 */
export function Highlighted({ text }: { text: string }) {
  const parts = text.split(/(<(?:mark|em)>.*?<\/(?:mark|em)>)/g);
  return (
    <>
      {parts.map((part, i) => {
        const m = /^<(mark|em)>(.*)<\/\1>$/.exec(part);
        return m ? <mark key={i}>{decode(m[2]!)}</mark> : <span key={i}>{decode(part)}</span>;
      })}
    </>
  );
}
