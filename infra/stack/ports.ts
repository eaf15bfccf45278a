import { createServer } from 'node:net';

/** Whether nothing listens on the port on loopback. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();

		server.once('error', () => resolve(false));
		server.listen(port, host, () => server.close(() => resolve(true)));
	});
}

/** A port the kernel reports free right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();

		server.once('error', reject);
		server.listen(0, host, () => {
			const address = server.address();
			const port = typeof address === 'object' && address !== null ? address.port : 0;

			server.close(() => resolve(port));
		});
	});
}

/** The preferred port when it is free, otherwise any free one. */
export async function pickPort(preferred: number | undefined): Promise<number> {
	if (preferred !== undefined && (await isPortFree(preferred))) {
		return preferred;
	}

	return freePort();
}
