// What polls and quizzes share: a question with options, held in Redis,
// answered once per member, tallied atomically, closed once. Every process
// reads the same tally, so results agree wherever they are asked for.

import { randomUUID } from 'node:crypto';

import type { ChainableCommander, Redis } from 'ioredis';

import type { JoinClaims } from '../../common/auth/JoinToken.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { Tally } from '../protocol/class.ts';
import { classKeys } from './classKeys.ts';

export interface BallotSpec {
	kind: 'poll' | 'quiz';
	question: string;
	options: string[];
	multiple: boolean;
	/** Quiz only: the index of the right option. */
	correct?: number;
	/** Quiz only: when answers stop (ms since epoch). */
	closesAt?: number;
}

export interface Ballot extends BallotSpec {
	id: string;
	classId: string;
	openedAt: number;
	open: boolean;
}

/** Closed ballots stay readable this long, then Redis forgets them (MongoDB keeps the result). */
const CLOSED_TTL_SECONDS = 24 * 3600;

// KEYS: ballot, voters, tally, leaderboard, names. ARGV: userId, now, displayName, kind, choices...
// Returns 1 counted, 0 already answered, -1 closed, -2 no such ballot of that kind, -3 bad choice.
const ANSWER_SCRIPT = `
local b = redis.call('HMGET', KEYS[1], 'state', 'optionCount', 'multiple', 'closesAt', 'correct', 'openedAt', 'kind')
if not b[1] or b[7] ~= ARGV[4] then return -2 end
if b[1] ~= 'open' then return -1 end
local now = tonumber(ARGV[2])
local closesAt = tonumber(b[4])
if closesAt > 0 and now > closesAt then return -1 end
if b[3] ~= '1' and #ARGV > 5 then return -3 end
for i = 5, #ARGV do
	if tonumber(ARGV[i]) >= tonumber(b[2]) then return -3 end
end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
for i = 5, #ARGV do redis.call('HINCRBY', KEYS[3], ARGV[i], 1) end
redis.call('HINCRBY', KEYS[3], 'voters', 1)
if b[5] and b[5] ~= '' and ARGV[5] == b[5] then
	local opened = tonumber(b[6])
	local bonus = math.floor(100 * (closesAt - now) / math.max(1, closesAt - opened))
	redis.call('ZINCRBY', KEYS[4], 100 + bonus, ARGV[1])
	redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
end
return 1
`;

// KEYS: ballot, voters, tally, open set. ARGV: id, ttl, kind.
// Returns 1 closed now, -1 already closed, -2 no such ballot of that kind.
const CLOSE_SCRIPT = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state or redis.call('HGET', KEYS[1], 'kind') ~= ARGV[3] then return -2 end
if state ~= 'open' then return -1 end
redis.call('HSET', KEYS[1], 'state', 'closed')
redis.call('SREM', KEYS[4], ARGV[1])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
return 1
`;

export class Ballots {
	readonly #redis: Redis;

	constructor(redis: Redis) {
		this.#redis = redis;
	}

	/**
	 * Opens a ballot. `alongside` adds commands to the transaction that opens
	 * it, so they take effect if and only if the ballot opens.
	 */
	async open(
		classId: string,
		spec: BallotSpec,
		alongside?: (transaction: ChainableCommander, ballot: Ballot) => void,
	): Promise<Ballot> {
		const id = randomUUID();
		const keys = classKeys(classId);
		const ballot: Ballot = { ...spec, id, classId, openedAt: Date.now(), open: true };
		const transaction = this.#redis
			.multi()
			.hset(keys.ballot(id), {
				kind: spec.kind,
				question: spec.question,
				options: JSON.stringify(spec.options),
				optionCount: spec.options.length,
				multiple: spec.multiple ? '1' : '0',
				correct: spec.correct ?? '',
				closesAt: spec.closesAt ?? 0,
				openedAt: ballot.openedAt,
				state: 'open',
			})
			.sadd(keys.openBallots(spec.kind), id);

		alongside?.(transaction, ballot);

		const results = await transaction.exec();

		if (results === null || results.some(([error]) => error !== null)) {
			throw new ProtocolError('unavailable', `the ${spec.kind} could not be opened; try again`);
		}

		return ballot;
	}

	/** Counts one member's answer; refuses a second one, a closed ballot and a bad choice. */
	async answer(
		claims: JoinClaims,
		id: string,
		kind: BallotSpec['kind'],
		choices: readonly number[],
	): Promise<void> {
		const keys = classKeys(claims.classId);
		const unique = [...new Set(choices)];
		const result = await this.#redis.eval(
			ANSWER_SCRIPT,
			5,
			keys.ballot(id),
			keys.ballotVoters(id),
			keys.ballotTally(id),
			keys.leaderboard,
			keys.leaderboardNames,
			claims.userId,
			Date.now(),
			claims.displayName,
			kind,
			...unique,
		);

		switch (result) {
			case 1:
				return;
			case 0:
				throw new ProtocolError('conflict', 'you have already answered');
			case -1:
				throw new ProtocolError('conflict', 'answers are closed');
			case -2:
				throw new ProtocolError('not_found', 'no such question in this class');
			default:
				throw new ProtocolError('bad_request', 'the choices do not fit the question');
		}
	}

	/** Closes the ballot; resolves with it and its final tally. */
	async close(
		classId: string,
		id: string,
		kind: BallotSpec['kind'],
	): Promise<{ ballot: Ballot; tally: Tally }> {
		const keys = classKeys(classId);
		const result = await this.#redis.eval(
			CLOSE_SCRIPT,
			4,
			keys.ballot(id),
			keys.ballotVoters(id),
			keys.ballotTally(id),
			keys.openBallots(kind),
			id,
			CLOSED_TTL_SECONDS,
			kind,
		);

		if (result === -2) {
			throw new ProtocolError('not_found', 'no such question in this class');
		}

		if (result === -1) {
			throw new ProtocolError('conflict', 'already closed');
		}

		const ballot = await this.get(classId, id);

		if (ballot === undefined) {
			throw new ProtocolError('not_found', 'no such question in this class');
		}

		return { ballot, tally: await this.tally(classId, id, ballot.options.length) };
	}

	async get(classId: string, id: string): Promise<Ballot | undefined> {
		const raw = await this.#redis.hgetall(classKeys(classId).ballot(id));

		if (raw.state === undefined) {
			return undefined;
		}

		return {
			id,
			classId,
			kind: raw.kind === 'quiz' ? 'quiz' : 'poll',
			question: raw.question ?? '',
			options: JSON.parse(raw.options ?? '[]') as string[],
			multiple: raw.multiple === '1',
			...(raw.correct === undefined || raw.correct === '' ? {} : { correct: Number(raw.correct) }),
			...(Number(raw.closesAt ?? 0) > 0 ? { closesAt: Number(raw.closesAt) } : {}),
			openedAt: Number(raw.openedAt ?? 0),
			open: raw.state === 'open',
		};
	}

	async tally(classId: string, id: string, optionCount: number): Promise<Tally> {
		const raw = await this.#redis.hgetall(classKeys(classId).ballotTally(id));
		const counts = Array.from({ length: optionCount }, (_, index) => Number(raw[index] ?? 0));

		return { counts, voters: Number(raw.voters ?? 0) };
	}

	async openIds(classId: string, kind: BallotSpec['kind']): Promise<string[]> {
		return this.#redis.smembers(classKeys(classId).openBallots(kind));
	}

	/** The ids among `ids` of the ballots the user has answered, in one round trip. */
	async answeredBy(classId: string, ids: readonly string[], userId: string): Promise<string[]> {
		if (ids.length === 0) {
			return [];
		}

		const keys = classKeys(classId);
		const pipeline = this.#redis.pipeline();

		for (const id of ids) {
			pipeline.sismember(keys.ballotVoters(id), userId);
		}

		const replies = (await pipeline.exec()) ?? [];

		return ids.filter((_, index) => replies[index]?.[1] === 1);
	}
}
