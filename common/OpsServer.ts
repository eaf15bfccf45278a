import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { collectDefaultMetrics, Registry } from 'prom-client';

import { listen } from './listen.ts';
import type { Logger } from './logger.ts';

/** A named readiness check; it throws when its dependency is not usable. */
export type HealthCheck = () => Promise<void>;

const CHECK_TIMEOUT_MS = 2000;

/**
 * The operations endpoint of a process: `/healthz` runs the health checks,
 * `/metrics` serves Prometheus metrics. It can also mount on an existing
 * HTTP server through `handle()`.
 */
export class OpsServer {
	readonly registry = new Registry();
	readonly #checks = new Map<string, HealthCheck>();
	readonly #logger: Logger;
	#server: Server | undefined;

	constructor(service: string, logger: Logger) {
		this.#logger = logger;
		this.registry.setDefaultLabels({ service });
		collectDefaultMetrics({ register: this.registry });
	}

	addCheck(name: string, check: HealthCheck): void {
		this.#checks.set(name, check);
	}

	/** Answers ops paths; returns false for any other request. */
	handle(req: IncomingMessage, res: ServerResponse): boolean {
		const path = (req.url ?? '/').split('?')[0];

		if (req.method !== 'GET' || (path !== '/healthz' && path !== '/metrics')) {
			return false;
		}

		const reply = path === '/healthz' ? this.#health(res) : this.#metrics(res);

		reply.catch((error: unknown) => {
			this.#logger.error({ err: error }, 'ops request failed');
			res.destroy();
		});

		return true;
	}

	/** Listens on its own port, for processes without an HTTP server of their own. */
	async listen(port: number, setting: string, host = '0.0.0.0'): Promise<number> {
		const server = createServer((req, res) => {
			if (!this.handle(req, res)) {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such path' } }));
			}
		});

		this.#server = server;

		return listen(server, port, setting, host);
	}

	async close(): Promise<void> {
		const server = this.#server;

		this.#server = undefined;
		if (server !== undefined) {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	}

	async #health(res: ServerResponse): Promise<void> {
		const results = await Promise.all(
			[...this.#checks].map(async ([name, check]) => {
				try {
					await Promise.race([
						check(),
						new Promise<never>((_, reject) =>
							setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS).unref(),
						),
					]);

					return [name, { ok: true }] as const;
				} catch (error) {
					return [
						name,
						{ ok: false, error: error instanceof Error ? error.message : String(error) },
					] as const;
				}
			}),
		);
		const ok = results.every(([, result]) => result.ok);

		res.writeHead(ok ? 200 : 503, {
			'content-type': 'application/json',
			'cache-control': 'no-store',
		});
		res.end(
			JSON.stringify({
				status: ok ? 'ok' : 'failing',
				checks: Object.fromEntries(results) as Record<string, unknown>,
			}),
		);
	}

	async #metrics(res: ServerResponse): Promise<void> {
		const body = await this.registry.metrics();

		res.writeHead(200, { 'content-type': this.registry.contentType });
		res.end(body);
	}
}
