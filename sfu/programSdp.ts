// The SDP that tells ffmpeg where the program's RTP arrives and what it
// carries. The SFU's PlainTransport consumers send to these ports.

export interface RtpStreamDescription {
	/** ffmpeg listens here for RTP; RTCP goes to port + 1. */
	port: number;
	payloadType: number;
	/** As in SDP rtpmap: "VP8", "H264", "VP9", "opus". */
	codec: string;
	clockRate: number;
	channels?: number;
	/** SDP fmtp parameters, e.g. "packetization-mode=1;profile-level-id=42e01f". */
	fmtp?: string;
}

export interface ProgramDescription {
	video: RtpStreamDescription;
	audio: RtpStreamDescription;
	/** Further audio streams (the stage's microphones), mixed with `audio` by the ladder. */
	moreAudio?: readonly RtpStreamDescription[];
	/** The address the RTP is sent to, where ffmpeg listens; loopback when unset. */
	host?: string;
}

export function programSdp(program: ProgramDescription): string {
	const ip = program.host ?? '127.0.0.1';
	const media = (kind: 'video' | 'audio', stream: RtpStreamDescription): string[] => [
		`m=${kind} ${stream.port} RTP/AVP ${stream.payloadType}`,
		`a=rtpmap:${stream.payloadType} ${stream.codec}/${stream.clockRate}${
			stream.channels === undefined ? '' : `/${stream.channels}`
		}`,
		...(stream.fmtp === undefined ? [] : [`a=fmtp:${stream.payloadType} ${stream.fmtp}`]),
		'a=recvonly',
	];

	return [
		'v=0',
		`o=- 0 0 IN IP4 ${ip}`,
		's=program',
		`c=IN IP4 ${ip}`,
		't=0 0',
		...media('video', program.video),
		...media('audio', program.audio),
		...(program.moreAudio ?? []).flatMap((stream) => media('audio', stream)),
		'',
	].join('\n');
}
