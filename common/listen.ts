import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ConfigError } from './ConfigError.ts';

/**
 * Starts an HTTP server on a configured port; a busy or forbidden port is a
 * ConfigError naming the setting. Resolves with the port actually bound.
 */
export async function listen(
	server: Server,
	port: number,
	setting: string,
	host = '0.0.0.0',
): Promise<number> {
	await new Promise<void>((resolve, reject) => {
		const onError = (error: NodeJS.ErrnoException): void => {
			reject(
				error.code === 'EADDRINUSE' || error.code === 'EACCES'
					? new ConfigError(setting, `cannot listen on port ${port} (${error.code})`)
					: error,
			);
		};

		server.once('error', onError);
		server.listen(port, host, () => {
			server.off('error', onError);
			resolve();
		});
	});

	return (server.address() as AddressInfo).port;
}
