// Open-loop HTTP load: requests leave at a steady rate, evenly spaced, on a
// pool of keep-alive connections, whatever the answers do. Each latency runs
// from the moment its request was due, not from when it was written, so a
// slow server (or a late generator) cannot hide its queue: the figures are
// what a client sending at that rate would see.
//
// autocannon's rate limit works another way: every second each connection
// sends back to back until it has made its share, then waits for the next
// second. At 2,000 req/s on 50 connections that is a burst of 50 concurrent
// requests at full speed each second, whose latency says how fast the
// server drains 50 at once, not how it answers a steady 2,000 per second.

import { Agent, request } from 'node:http';

export interface SteadyRateOptions {
	url: string;
	method: 'GET' | 'POST';
	headers?: Record<string, string>;
	/** Requests per second. */
	rate: number;
	seconds: number;
	/** Keep-alive connections; a request finding all busy waits for one. */
	connections: number;
	/** Seconds at the same rate first, not counted: connections open, the JIT settles. */
	warmupSeconds: number;
}

export interface SteadyRateFigures {
	/** Answers per second over the run. */
	rps: number;
	/** Latency from the due time to the whole answer, in milliseconds. */
	p50: number;
	p90: number;
	p99: number;
	max: number;
	requests: number;
	/** Connection errors plus non-2xx answers. */
	errors: number;
	/**
	 * How late the generator itself sent, 99th percentile in milliseconds
	 * (its 1 ms timer, its own pauses); part of every latency above.
	 */
	sendLateP99: number;
}

export async function measureSteadyRate(options: SteadyRateOptions): Promise<SteadyRateFigures> {
	const agent = new Agent({ keepAlive: true, maxSockets: options.connections });

	try {
		await run(agent, { ...options, seconds: options.warmupSeconds });

		return await run(agent, options);
	} finally {
		agent.destroy();
	}
}

async function run(agent: Agent, options: SteadyRateOptions): Promise<SteadyRateFigures> {
	const total = Math.round(options.rate * options.seconds);
	const latencies: number[] = [];
	const lateness: number[] = [];
	const inFlight = new Set<Promise<void>>();
	let errors = 0;

	const send = (dueAt: number): void => {
		lateness.push(performance.now() - dueAt);

		const done = new Promise<void>((resolve) => {
			const outgoing = request(
				options.url,
				{ method: options.method, headers: options.headers, agent },
				(response) => {
					response.resume();
					response.on('end', () => {
						if (response.statusCode === undefined || response.statusCode >= 300) {
							errors += 1;
						} else {
							latencies.push(performance.now() - dueAt);
						}

						resolve();
					});
				},
			);

			outgoing.on('error', () => {
				errors += 1;
				resolve();
			});
			outgoing.end();
		});

		inFlight.add(done);
		void done.then(() => inFlight.delete(done));
	};

	const startedAt = performance.now();
	let sent = 0;

	// A 1 ms timer sends every request that has come due; a busy loop would
	// be finer but would take a core from the server on this machine.
	while (sent < total) {
		const due = Math.min(
			total,
			Math.floor(((performance.now() - startedAt) / 1000) * options.rate),
		);

		for (; sent < due; sent += 1) {
			send(startedAt + (sent * 1000) / options.rate);
		}

		await new Promise((resolve) => setTimeout(resolve, 1));
	}

	await Promise.all(inFlight);

	const elapsedSeconds = (performance.now() - startedAt) / 1000;

	latencies.sort((a, b) => a - b);
	lateness.sort((a, b) => a - b);

	const percentile = (p: number, of = latencies): number =>
		round(of[Math.min(of.length - 1, Math.floor(of.length * p))] ?? NaN);

	return {
		rps: Math.round(latencies.length / elapsedSeconds),
		p50: percentile(0.5),
		p90: percentile(0.9),
		p99: percentile(0.99),
		max: round(latencies.at(-1) ?? NaN),
		requests: latencies.length + errors,
		errors,
		sendLateP99: percentile(0.99, lateness),
	};
}

const round = (ms: number): number => Number(ms.toFixed(2));
