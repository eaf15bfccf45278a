// The VP8 RTP payload descriptor (RFC 7741, section 4.2), as far as the
// program switcher needs it: where a keyframe starts, and the picture id it
// renumbers so a receiver sees one unbroken stream across sources.

/** The parts of a descriptor the switcher reads and rewrites. */
export interface Vp8Descriptor {
	/** The packet starts a frame (S bit set, partition 0). */
	frameStart: boolean;
	/** The frame this packet starts is a keyframe; false when it starts none. */
	keyframe: boolean;
	/** The picture id, when present. */
	pictureId: number | undefined;
	/** The picture id has 15 bits (else 7). */
	longPictureId: boolean;
	/** Where the picture id sits in the payload. */
	pictureIdOffset: number;
}

/** Reads the descriptor at the start of a VP8 RTP payload; undefined if it is cut short. */
export function readVp8Descriptor(payload: DataView): Vp8Descriptor | undefined {
	if (payload.byteLength < 1) {
		return undefined;
	}

	const first = payload.getUint8(0);
	const extended = (first & 0x80) !== 0;
	const frameStart = (first & 0x10) !== 0 && (first & 0x07) === 0;
	let offset = 1;
	let pictureId: number | undefined;
	let longPictureId = false;
	let pictureIdOffset = 0;

	if (extended) {
		if (payload.byteLength < 2) {
			return undefined;
		}

		const flags = payload.getUint8(1);

		offset = 2;
		if ((flags & 0x80) !== 0) {
			if (payload.byteLength < offset + 1) {
				return undefined;
			}

			pictureIdOffset = offset;
			longPictureId = (payload.getUint8(offset) & 0x80) !== 0;
			if (longPictureId) {
				if (payload.byteLength < offset + 2) {
					return undefined;
				}

				pictureId = payload.getUint16(offset) & 0x7fff;
				offset += 2;
			} else {
				pictureId = payload.getUint8(offset) & 0x7f;
				offset += 1;
			}
		}

		// TL0PICIDX, then one byte for TID/Y and KEYIDX.
		offset += (flags & 0x40) !== 0 ? 1 : 0;
		offset += (flags & 0x30) !== 0 ? 1 : 0;
	}

	if (payload.byteLength <= offset) {
		return undefined;
	}

	// NOTE: in the first byte of a frame's VP8 header, bit 0 clear means a
	// keyframe (RFC 6386, section 9.1).
	const keyframe = frameStart && (payload.getUint8(offset) & 0x01) === 0;

	return { frameStart, keyframe, pictureId, longPictureId, pictureIdOffset };
}

/** Writes a new picture id in place, keeping its width. */
export function writeVp8PictureId(
	payload: DataView,
	descriptor: Vp8Descriptor,
	pictureId: number,
): void {
	if (descriptor.pictureId === undefined) {
		return;
	}

	if (descriptor.longPictureId) {
		payload.setUint16(descriptor.pictureIdOffset, 0x8000 | (pictureId & 0x7fff));
	} else {
		payload.setUint8(descriptor.pictureIdOffset, pictureId & 0x7f);
	}
}

/**
 * Splits one VP8 frame into RTP payloads of at most `maxPayload` bytes,
 * each with a descriptor carrying a 15-bit picture id.
 */
export function packetizeVp8(
	frame: Uint8Array,
	pictureId: number,
	maxPayload = 1100,
): Uint8Array[] {
	const chunk = maxPayload - 4;
	const payloads: Uint8Array[] = [];

	for (let start = 0; start < frame.byteLength; start += chunk) {
		const part = frame.subarray(start, start + chunk);
		const payload = new Uint8Array(4 + part.byteLength);

		// X set, S set on the first packet only, partition 0; I set; M set (15 bits).
		payload[0] = start === 0 ? 0x90 : 0x80;
		payload[1] = 0x80;
		payload[2] = 0x80 | ((pictureId >> 8) & 0x7f);
		payload[3] = pictureId & 0xff;
		payload.set(part, 4);
		payloads.push(payload);
	}

	return payloads;
}
