// Reading the recorder's event playlist.

export interface PlaylistSegment {
	uri: string;
	duration: number;
	/** The segment starts after a discontinuity (a restart of the recording). */
	discontinuity: boolean;
	/** Wall-clock time of the segment's first frame, when ffmpeg wrote one. */
	programDateTime: Date | undefined;
}

/** The finished segments of an HLS media playlist, in order. */
export function parseSegments(playlist: string): PlaylistSegment[] {
	const segments: PlaylistSegment[] = [];
	let duration: number | undefined;
	let discontinuity = false;
	let programDateTime: Date | undefined;

	for (const raw of playlist.split('\n')) {
		const line = raw.trim();

		if (line.startsWith('#EXTINF:')) {
			duration = Number.parseFloat(line.slice('#EXTINF:'.length));
		} else if (line === '#EXT-X-DISCONTINUITY') {
			discontinuity = true;
		} else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
			programDateTime = new Date(line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
		} else if (line !== '' && !line.startsWith('#') && duration !== undefined) {
			segments.push({ uri: line, duration, discontinuity, programDateTime });
			duration = undefined;
			discontinuity = false;
			programDateTime = undefined;
		}
	}

	return segments;
}

/** A VOD playlist of the given segments: fixed, complete, with an end tag. */
export function vodPlaylist(segments: readonly PlaylistSegment[]): string {
	const target = Math.ceil(Math.max(1, ...segments.map((segment) => segment.duration)));

	return [
		'#EXTM3U',
		'#EXT-X-VERSION:6',
		'#EXT-X-PLAYLIST-TYPE:VOD',
		`#EXT-X-TARGETDURATION:${target}`,
		'#EXT-X-MEDIA-SEQUENCE:0',
		'#EXT-X-INDEPENDENT-SEGMENTS',
		...segments.flatMap((segment) => [
			...(segment.discontinuity ? ['#EXT-X-DISCONTINUITY'] : []),
			...(segment.programDateTime === undefined
				? []
				: [`#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime.toISOString()}`]),
			`#EXTINF:${segment.duration.toFixed(6)},`,
			segment.uri,
		]),
		'#EXT-X-ENDLIST',
		'',
	].join('\n');
}
