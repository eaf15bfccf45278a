// Chat across a Redis reconnect: every connection of both signaling
// processes is cut while the teacher keeps chatting, then only the
// subscribers, and a member on the other process still gets every
// acknowledged message. This file runs its own
// Redis, so cutting its connections touches no other test.

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ManagedProcess } from '../../infra/stack/ManagedProcess.ts';
import { freePort } from '../../infra/stack/ports.ts';
import { startRedis } from '../../infra/stack/redis.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';
import {
	joinClass,
	memberClaims,
	request,
	SignalingProcess,
	type Member,
} from '../support/signalingProcess.ts';

describe('chat delivery across a Redis reconnect', () => {
	let resources: TestResources;
	let dir: string;
	let redisServer: ManagedProcess;
	let redisUrl: string;
	let a: SignalingProcess;
	let b: SignalingProcess;
	let teacher: Member;
	let student: Member;

	beforeAll(async () => {
		resources = await createTestResources();
		dir = mkdtempSync(join(tmpdir(), 'class-reconnect-'));
		mkdirSync(join(dir, 'logs'));
		mkdirSync(join(dir, 'run'));

		const started = await startRedis({
			dir,
			port: await freePort(),
			password: randomUUID(),
			durable: false,
		});

		redisServer = started.process;
		redisUrl = started.env.REDIS_URL ?? '';

		const env = {
			REDIS_URL: redisUrl,
			MONGODB_URL: resources.mongoUrl,
			MONGODB_DATABASE: resources.mongoDatabase,
		};

		[a, b] = await SignalingProcess.startPair(env, dir);

		const classId = randomUUID();

		teacher = await joinClass(a.url, memberClaims(classId, 'teacher', 'Teacher'));
		student = await joinClass(b.url, memberClaims(classId, 'student', 'Student'));
	});

	afterAll(async () => {
		teacher.socket.close();
		student.socket.close();
		await Promise.all([a.stop(), b.stop()]);
		await redisServer.stop();
		await resources.release();
		rmSync(dir, { recursive: true, force: true });
	});

	it('delivers every acknowledged message to the other process after its connections drop', async () => {
		const received = new Set<string>();

		student.socket.on('chat:batch', (messages) => {
			for (const message of messages) {
				received.add(message.text);
			}
		});

		const admin = new Redis(redisUrl);
		const acknowledged: string[] = [];
		let cut: unknown = 0;

		try {
			for (let index = 0; index < 16; index++) {
				if (index === 6) {
					// Cut every client but this one: both processes reconnect.
					cut = await admin.call('CLIENT', 'KILL', 'SKIPME', 'yes');
				}

				if (index === 10) {
					// Cut only the subscribers: the sender's commands go on at once,
					// while the other process is still reconnecting its subscriber.
					await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
				}

				const text = `during reconnect ${index}`;
				const reply = await request(teacher.socket, 'chat:send', { text });

				if (reply.ok) {
					acknowledged.push(text);
				}

				// Within the chat rate limit of one member; the messages right
				// after a cut go at once, while the processes are still reconnecting.
				if (![6, 7, 10].includes(index)) {
					await sleep(450);
				}
			}
		} finally {
			admin.disconnect();
		}

		const deadline = Date.now() + 15_000;

		while (acknowledged.some((text) => !received.has(text)) && Date.now() < deadline) {
			await sleep(200);
		}

		// Each process holds several connections (commands, adapter, its reader).
		expect(cut).toBeGreaterThanOrEqual(4);
		expect(acknowledged.length).toBeGreaterThan(12);
		expect(acknowledged.filter((text) => !received.has(text))).toEqual([]);
	});
});
