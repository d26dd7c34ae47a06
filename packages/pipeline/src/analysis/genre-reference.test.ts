import { describe, expect, it } from "vitest";
import { CURRENT_MODEL_KIND, trainGenreModel } from "./genre-model";
import {
  REFERENCE_EXAMPLES,
  REFERENCE_MODEL_PREFIX,
  SHIPPED_REFERENCE_MODEL,
} from "./genre-reference";
import { timbreVector } from "./timbre";

describe("shipped genre reference set", () => {
  it("has timbre descriptors for every recording", () => {
    for (const e of REFERENCE_EXAMPLES) expect(timbreVector(e.features.timbre)).not.toBeNull();
  });

  it("ships exactly the model a fresh training on it gives", () => {
    expect(SHIPPED_REFERENCE_MODEL?.kind).toBe(CURRENT_MODEL_KIND);
    const trained = trainGenreModel(REFERENCE_EXAMPLES, { prefix: REFERENCE_MODEL_PREFIX });
    expect(trained).toEqual(SHIPPED_REFERENCE_MODEL);
  }, 60_000);
});
