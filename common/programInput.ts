// How ffmpeg reads the class's program (sfu/ProgramSwitcher.ts, described by
// an SDP file): the same input options for every receiver, the one way to
// mix the switcher's Opus streams, one per microphone slot with silence in
// the idle ones, into a single voice track, and the live H.264 encoder that
// the HLS ladder and the recorder both use.

/** Input options for the program's SDP file: RTP over UDP, timestamps made up where missing. */
export const PROGRAM_INPUT_OPTIONS: readonly string[] = [
	'-protocol_whitelist',
	'file,rtp,udp',
	'-fflags',
	'+genpts',
	'-analyzeduration',
	'500000',
];

/** The H.264 encoder for the program, tuned for live output: no lookahead, no B-frames. */
export const PROGRAM_H264_OPTIONS: readonly string[] = [
	'-c:v',
	'libx264',
	'-preset',
	'veryfast',
	'-tune',
	'zerolatency',
	'-pix_fmt',
	'yuv420p',
];

/**
 * The filter that mixes input 0's first `slots` audio streams, each at full
 * level (voices rarely overlap, and silent slots add nothing), ending when
 * the last one ends. Its output pad is left for the caller to name.
 */
export function programAudioMix(slots: number): string {
	const inputs = Array.from({ length: slots }, (_, index) => `[0:a:${index}]`).join('');

	return `${inputs}amix=inputs=${slots}:duration=longest:dropout_transition=0:normalize=0`;
}

/** How many audio streams (slots) an SDP describes. */
export function audioStreamsOf(sdp: string): number {
	return sdp.match(/^m=audio /gm)?.length ?? 0;
}
