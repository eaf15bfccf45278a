// One rung of the HLS ladder, and the parser for the HLS_LADDER setting.

export interface Rendition {
	/** Playlist name: "720p" gives 720p.m3u8 and 720p_00001.ts. */
	name: string;
	width: number;
	height: number;
	/** Video bitrate in kbit/s. */
	videoKbps: number;
	/** Audio bitrate in kbit/s. */
	audioKbps: number;
}

export const DEFAULT_LADDER = '720p:1280x720:2800,480p:854x480:1200,240p:426x240:400';

const RUNG = /^([a-z0-9]{1,16}):(\d{2,4})x(\d{2,4}):(\d{2,5})$/;

/**
 * Parses `name:WIDTHxHEIGHT:kbps` rungs separated by commas, highest first.
 * Throws a TypeError that says which rung is wrong.
 */
export function parseLadder(value: string): Rendition[] {
	const rungs = value.split(',').map((rung, index) => {
		const match = RUNG.exec(rung.trim());

		if (match === null) {
			throw new TypeError(`rung ${index + 1} ("${rung}") must look like 720p:1280x720:2800`);
		}

		const [, name = '', width = '', height = '', kbps = ''] = match;

		if (Number(width) % 2 !== 0 || Number(height) % 2 !== 0) {
			throw new TypeError(`rung ${index + 1} ("${rung}") needs an even width and height for H.264`);
		}

		return {
			name,
			width: Number(width),
			height: Number(height),
			videoKbps: Number(kbps),
			audioKbps: Number(height) >= 480 ? 128 : 64,
		};
	});

	if (new Set(rungs.map((rung) => rung.name)).size !== rungs.length) {
		throw new TypeError('rung names must differ');
	}

	return rungs;
}
