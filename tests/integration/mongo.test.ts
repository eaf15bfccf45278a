import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMongoClient } from '../../common/clients/mongo.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';

interface ChatMessage {
	classId: string;
	seq: number;
	text: string;
	sentAt: Date;
}

describe('MongoDB driver on FerretDB', () => {
	let resources: TestResources;
	let client: MongoClient;
	let db: Db;

	beforeAll(async () => {
		resources = await createTestResources();
		client = createMongoClient(resources.mongoUrl);
		db = client.db(resources.mongoDatabase);
	});

	afterAll(async () => {
		await db.dropDatabase();
		await client.close();
		await resources.release();
	});

	it('inserts, indexes and queries documents', async () => {
		const chat = db.collection<ChatMessage>('chat');

		await chat.createIndex({ classId: 1, seq: 1 }, { unique: true }, {});
		await chat.insertMany(
			Array.from({ length: 30 }, (_, i) => ({
				classId: i % 2 === 0 ? 'class-a' : 'class-b',
				seq: i,
				text: `message ${i}`,
				sentAt: new Date(Date.UTC(2026, 11, 3, 10, 0, i)),
			})),
		);

		const latest = await chat
			.find({ classId: 'class-a', seq: { $gte: 10 } }, { projection: { _id: 0, seq: 1, text: 1 } })
			.sort({ seq: -1 })
			.limit(3)
			.toArray();

		expect(latest).toEqual([
			{ seq: 28, text: 'message 28' },
			{ seq: 26, text: 'message 26' },
			{ seq: 24, text: 'message 24' },
		]);
		expect(await chat.countDocuments({ classId: 'class-b' })).toBe(15);

		const indexes = await chat.indexes();

		expect(indexes.map((index) => index.name)).toContain('classId_1_seq_1');
	});

	it('enforces a unique index', async () => {
		const chat = db.collection<ChatMessage>('chat');

		await expect(
			chat.insertOne({ classId: 'class-a', seq: 0, text: 'duplicate', sentAt: new Date() }),
		).rejects.toMatchObject({ code: 11000 });
	});
});
