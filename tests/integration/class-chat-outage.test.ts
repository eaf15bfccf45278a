// Chat survives a MongoDB outage: every message the server acknowledged
// during a burst in which FerretDB was down for 10 seconds is in MongoDB
// once it is back. This file runs its own FerretDB, so it can stop it.

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ManagedProcess } from '../../infra/stack/ManagedProcess.ts';
import { startFerretDb } from '../../infra/stack/ferretdb.ts';
import { freePort } from '../../infra/stack/ports.ts';
import type { ServerOptions } from '../../infra/stack/ServerOptions.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';
import {
	joinClass,
	memberClaims,
	request,
	SignalingProcess,
	type Member,
} from '../support/signalingProcess.ts';

const OUTAGE_MS = 10_000;

describe('chat persistence through a MongoDB outage', () => {
	let resources: TestResources;
	let dir: string;
	let ferretOptions: ServerOptions;
	let ferret: ManagedProcess;
	let mongoUrl: string;
	let signaling: SignalingProcess;
	const senders: Member[] = [];
	const classId = randomUUID();
	const database = `outage_${randomUUID().slice(0, 8)}`;

	beforeAll(async () => {
		resources = await createTestResources();
		dir = mkdtempSync(join(tmpdir(), 'class-outage-'));
		mkdirSync(join(dir, 'logs'));
		mkdirSync(join(dir, 'run'));
		ferretOptions = { dir, port: await freePort(), password: randomUUID(), durable: false };

		const started = await startFerretDb(ferretOptions);

		ferret = started.process;
		mongoUrl = started.env.MONGODB_URL ?? '';
		signaling = await SignalingProcess.start(
			{
				REDIS_URL: resources.redisUrl,
				MONGODB_URL: mongoUrl,
				MONGODB_DATABASE: database,
				SIGNALING_REDIS_PREFIX: resources.redisPrefix,
			},
			dir,
		);

		for (let index = 0; index < 10; index++) {
			senders.push(
				await joinClass(signaling.url, memberClaims(classId, 'student', `Sender ${index}`)),
			);
		}
	}, 90_000);

	afterAll(async () => {
		for (const sender of senders) {
			sender.socket.close();
		}

		await signaling.stop();
		await ferret.stop();
		await resources.release();
		rmSync(dir, { recursive: true, force: true });
	});

	it('stores every acknowledged message after FerretDB was down for 10 s', async () => {
		const acknowledged: string[] = [];
		let sending = true;
		const burst = Promise.all(
			senders.map(async (sender, index) => {
				for (let n = 0; sending; n++) {
					const reply = await request(sender.socket, 'chat:send', { text: `m ${index}.${n}` });

					if (reply.ok) {
						acknowledged.push((reply.data as { id: string }).id);
					}

					await sleep(500);
				}
			}),
		);

		await sleep(2000);
		await ferret.stop();

		const beforeOutage = acknowledged.length;

		await sleep(OUTAGE_MS);

		const duringOutage = acknowledged.length - beforeOutage;

		ferret = (await startFerretDb(ferretOptions)).process;
		await sleep(2000);
		sending = false;
		await burst;

		// The outage really happened while messages were being acknowledged.
		expect(duringOutage).toBeGreaterThan(50);

		const client = new MongoClient(mongoUrl);

		try {
			const messages = client.db(database).collection<{ _id: string }>('chat_messages');
			const deadline = Date.now() + 45_000;
			let stored = 0;

			while (Date.now() < deadline) {
				stored = await messages.countDocuments({ _id: { $in: acknowledged } });
				if (stored === acknowledged.length) {
					break;
				}

				await sleep(500);
			}

			expect(stored).toBe(acknowledged.length);
			expect(await messages.countDocuments({ classId })).toBe(acknowledged.length);
		} finally {
			await client.close();
		}
	}, 120_000);
});
