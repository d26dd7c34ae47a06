// Types for music-tempo@1.0.3 (MIT), which ships none. Only what analysis/tempo.ts uses.
declare module "music-tempo" {
  export interface MusicTempoParams {
    bufferSize?: number;
    hopSize?: number;
    timeStep?: number;
    minBeatInterval?: number;
    maxBeatInterval?: number;
    [name: string]: number | undefined;
  }
  export default class MusicTempo {
    constructor(audioData: Float32Array | number[], params?: MusicTempoParams);
    /** BPM as a string with three decimals (toFixed(3)). */
    readonly tempo: string | number;
    /** Seconds between beats of the best agent. */
    readonly beatInterval: number;
    /** Beat times in seconds. */
    readonly beats: number[];
    /** Normalised (z-scored) spectral flux, one value per hop. */
    readonly spectralFlux: number[];
  }
}
