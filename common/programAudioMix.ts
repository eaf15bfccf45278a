// How ffmpeg hears the class's program: the switcher (sfu/ProgramSwitcher.ts)
// sends one Opus stream per microphone slot, silence in the idle ones, and
// every receiver that makes something for people to listen to mixes them
// into one voice track the same way.

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
