import type { types } from 'mediasoup';

/**
 * The codecs of every class router: Opus, and the video codecs browsers
 * offer. VP8 comes first, so a page that can send it does; VP9 and H.264
 * (the constrained baseline profile browsers hardware-encode) serve the
 * pages that cannot.
 */
export const MEDIA_CODECS: types.RtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{
		kind: 'video',
		mimeType: 'video/VP8',
		clockRate: 90000,
		parameters: { 'x-google-start-bitrate': 1000 },
	},
	{
		kind: 'video',
		mimeType: 'video/VP9',
		clockRate: 90000,
		parameters: { 'profile-id': 0, 'x-google-start-bitrate': 1000 },
	},
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: {
			'packetization-mode': 1,
			'profile-level-id': '42e01f',
			'level-asymmetry-allowed': 1,
			'x-google-start-bitrate': 1000,
		},
	},
];
