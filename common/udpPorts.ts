import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** `count` free RTP port pairs, none the same (each is only probed, not held). */
export async function freeRtpPortPairs(count: number, host = '127.0.0.1'): Promise<number[]> {
	const ports = new Set<number>();

	while (ports.size < count) {
		ports.add(await freeRtpPortPair(host));
	}

	return [...ports];
}

/** Whether some process on this host has bound the UDP port, read from /proc (Linux). */
export function udpPortBound(port: number): boolean {
	const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;

	return ['/proc/net/udp', '/proc/net/udp6'].some((table) => {
		try {
			// Each row's second field is local_address as HEXIP:HEXPORT.
			return readFileSync(table, 'utf8')
				.split('\n')
				.some((row) => row.trim().split(/\s+/)[1]?.endsWith(suffix) === true);
		} catch {
			return false;
		}
	});
}

/** Resolves once the UDP port is bound, or after `timeoutMs` (false). */
export async function whenUdpPortBound(port: number, timeoutMs = 3000): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;

	while (Date.now() < deadline) {
		if (udpPortBound(port)) {
			return true;
		}

		await sleep(25);
	}

	return false;
}
