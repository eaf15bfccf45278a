import { createSocket } from 'node:dgram';

async function bindable(port: number, host: string): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = createSocket('udp4');

		socket.once('error', () => {
			socket.close();
			resolve(false);
		});
		socket.bind(port, host, () => socket.close(() => resolve(true)));
	});
}

/**
 * An even UDP port whose successor is free too, for an RTP receiver that
 * takes RTCP on port + 1 (ffmpeg's RTP input does).
 */
export async function freeRtpPortPair(host = '127.0.0.1'): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = 20000 + 2 * Math.floor(Math.random() * 10000);

		if ((await bindable(port, host)) && (await bindable(port + 1, host))) {
			return port;
		}
	}

	throw new Error('no free RTP port pair found');
}
