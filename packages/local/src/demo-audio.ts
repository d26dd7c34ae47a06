import { schema, type Runtime } from "@jonquils/core";
import { transaction } from "@jonquils/core/db/transaction";
import { trackEffects } from "@jonquils/core/track/index";
import { musicLike } from "@jonquils/pipeline/analysis/synth";
import { encodeWav } from "@jonquils/pipeline/analysis/wav";
import { and, eq, isNull, like } from "drizzle-orm";
import { setImmediate } from "node:timers/promises";

const CLIP_SECONDS = 30;
const SAMPLE_RATE = 22_050;

/**
 * Gives the demo catalog's tracks something to play: a 30-second synthesised clip at each
 * track's tempo (minor key for low valence), stored in the tracks bucket outside the upload
 * prefix (so the pipeline leaves it alone) and linked to the track. Only tracks of the demo
 * accounts that have no file yet are touched; safe to run again.
 */
export async function attachDemoAudio(runtime: Pick<Runtime, "ports">): Promise<number> {
  const { db, objects } = runtime.ports;
  const rows = await db
    .select({ id: schema.tracks.id, tempo: schema.tracks.tempo, valence: schema.tracks.valence })
    .from(schema.tracks)
    .innerJoin(schema.artists, eq(schema.artists.id, schema.tracks.artistId))
    .innerJoin(schema.users, eq(schema.users.id, schema.artists.userId))
    .where(and(isNull(schema.tracks.filePath), like(schema.users.email, "%@demo.jonquils.dev")));
  for (const [i, row] of rows.entries()) {
    // Synthesis is CPU work on the API's thread: one clip at a time, requests answered between.
    await setImmediate();
    const samples = musicLike({
      bpm: row.tempo ?? 110,
      seconds: CLIP_SECONDS,
      sampleRate: SAMPLE_RATE,
      mode: (row.valence ?? 0.5) < 0.45 ? "minor" : "major",
      seed: i + 1,
    });
    const wav = encodeWav(samples, SAMPLE_RATE);
    const key = `demo/${row.id}.wav`;
    await objects.put("tracks", key, wav, "audio/wav");
    await db
      .update(schema.tracks)
      .set({
        filePath: key,
        fileFormat: "wav",
        fileSizeBytes: wav.byteLength,
        sampleRate: SAMPLE_RATE,
        channels: samples.length,
        durationMs: CLIP_SECONDS * 1000,
        updatedAt: new Date(),
      })
      .where(eq(schema.tracks.id, row.id));
  }
  if (rows.length > 0) {
    const ids = rows.map((r) => r.id);
    // The search documents were written by the seed, before the clips: without this, search
    // showed every demo track unplayable and with the seed's length.
    await transaction(runtime.ports, async (_tx, effects) =>
      trackEffects(runtime.ports, effects, ...ids),
    );
  }
  return rows.length;
}
