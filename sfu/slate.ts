// The slate: the picture the program shows while the teacher sends no
// video, so the audience's stream never stops. One VP8 keyframe, encoded
// once per process by ffmpeg and sent again and again.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** IVF: a 32-byte file header, then per frame a 12-byte header and the frame. */
const IVF_HEADER_BYTES = 32;
const IVF_FRAME_HEADER_BYTES = 12;

let slate: Promise<Uint8Array> | undefined;

/** The slate's VP8 keyframe: a dark 1280x720 picture. */
export function slateKeyframe(): Promise<Uint8Array> {
	slate ??= encodeSlate().catch((error: unknown) => {
		slate = undefined;
		throw error;
	});

	return slate;
}

async function encodeSlate(): Promise<Uint8Array> {
	const { stdout } = await run(
		'ffmpeg',
		[
			...['-hide_banner', '-loglevel', 'error'],
			...['-f', 'lavfi', '-i', 'color=c=0x1b1f24:s=1280x720:r=1'],
			...['-frames:v', '1', '-c:v', 'libvpx', '-b:v', '200k', '-f', 'ivf', 'pipe:1'],
		],
		{ encoding: 'buffer', maxBuffer: 1024 * 1024 },
	);
	const frame = new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
	const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
	const size = view.getUint32(IVF_HEADER_BYTES, true);
	const start = IVF_HEADER_BYTES + IVF_FRAME_HEADER_BYTES;

	if (frame.byteLength < start + size || size === 0) {
		throw new Error('ffmpeg wrote no slate frame');
	}

	return frame.slice(start, start + size);
}
