/**
 * The README's shell examples, run as written against a started server: the newcomer's first
 * commands cannot drift from what the product does.
 */
import { readFile } from "node:fs/promises";

export interface ReadmeBlock {
  /** The heading the block sits under (e.g. "A tour with curl"). */
  section: string;
  code: string;
}

/** Every fenced ```bash block of a Markdown text, with the heading it belongs to. */
export function bashBlocks(markdown: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  let section = "";
  let inside: string[] | null = null;
  for (const line of markdown.split("\n")) {
    if (inside) {
      if (line.startsWith("```")) {
        blocks.push({ section, code: inside.join("\n") });
        inside = null;
      } else inside.push(line);
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) section = heading[1]!.trim();
    else if (/^```(bash|sh)\s*$/.test(line)) inside = [];
  }
  return blocks;
}

export async function readmeBlocks(path: string, sections: string[]): Promise<ReadmeBlock[]> {
  const all = bashBlocks(await readFile(path, "utf8"));
  return sections.map((s) => {
    const found = all.filter((b) => b.section === s);
    if (found.length !== 1) throw new Error(`README: expected one bash block under "${s}"`);
    return found[0]!;
  });
}

/** Points the README's `localhost:8000` at the port the test server listens on. */
export function onPort(code: string, port: number): string {
  return code.replaceAll("localhost:8000", `localhost:${port}`);
}
