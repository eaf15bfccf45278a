// Payments: the record of a purchase, which enrolls the payer. Idempotent by
// the client's key: a retried request (same key) returns the first payment
// and enrolls once; the same key with different content is a conflict.

import { z } from 'zod';

import { ApiError } from '../ApiError.ts';
import type { RouteContext } from '../createApp.ts';
import type { Payment } from '../db/Database.ts';
import { ErrorResponses } from '../schemas.ts';

const PaymentView = z.strictObject({
	id: z.uuid(),
	classId: z.uuid(),
	userId: z.uuid(),
	idempotencyKey: z.string(),
	amountCents: z.number().int(),
	currency: z.string(),
	createdAt: z.iso.datetime(),
	/** True when this answers a repeat of an earlier request. */
	replayed: z.boolean(),
});

function paymentView(row: Payment, replayed: boolean) {
	return {
		id: row.id,
		classId: row.class_id,
		userId: row.user_id,
		idempotencyKey: row.idempotency_key,
		amountCents: row.amount_cents,
		currency: row.currency,
		createdAt: row.created_at.toISOString(),
		replayed,
	};
}

export function registerPaymentRoutes({ app, db, sessions }: RouteContext): void {
	app.post(
		'/payments',
		{
			schema: {
				summary: 'Record a purchase of a class by the calling student; enrolls them once',
				body: z.strictObject({
					classId: z.uuid(),
					idempotencyKey: z
						.string()
						.min(8)
						.max(128)
						.regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only'),
					amountCents: z.number().int().min(0).max(100_000_000),
					currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
				}),
				response: { 200: PaymentView, 201: PaymentView, ...ErrorResponses },
			},
		},
		async (request, reply) => {
			const user = await sessions.authenticate(request.headers.authorization, ['student']);
			const { classId, idempotencyKey, amountCents, currency } = request.body;

			const outcome = await db.transaction().execute(async (trx) => {
				const target = await trx
					.selectFrom('classes')
					.select(['id', 'state'])
					.where('id', '=', classId)
					.executeTakeFirst();

				if (target === undefined) {
					throw new ApiError('not_found', 'no such class');
				}

				const inserted = await trx
					.insertInto('payments')
					.values({
						user_id: user.id,
						class_id: classId,
						idempotency_key: idempotencyKey,
						amount_cents: amountCents,
						currency,
					})
					.onConflict((oc) => oc.constraint('payments_user_key_unique').doNothing())
					.returningAll()
					.executeTakeFirst();

				if (inserted === undefined) {
					// NOTE: ON CONFLICT waits for a concurrent insert of the same key to
					// commit, so the row is visible here.
					const earlier = await trx
						.selectFrom('payments')
						.selectAll()
						.where('user_id', '=', user.id)
						.where('idempotency_key', '=', idempotencyKey)
						.executeTakeFirstOrThrow();

					if (
						earlier.class_id !== classId ||
						earlier.amount_cents !== amountCents ||
						earlier.currency !== currency
					) {
						throw new ApiError('conflict', 'idempotencyKey was used for a different payment');
					}

					return { payment: earlier, replayed: true };
				}

				if (target.state !== 'scheduled' && target.state !== 'live') {
					throw new ApiError('invalid_state', `the class is ${target.state}; it cannot be bought`);
				}

				await trx
					.insertInto('enrollments')
					.values({ class_id: classId, user_id: user.id, payment_id: inserted.id })
					.onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
					.execute();

				return { payment: inserted, replayed: false };
			});

			return reply
				.status(outcome.replayed ? 200 : 201)
				.send(paymentView(outcome.payment, outcome.replayed));
		},
	);

	app.get(
		'/payments',
		{
			schema: {
				summary: 'The payments of the caller, newest first',
				response: { 200: z.strictObject({ payments: z.array(PaymentView) }), ...ErrorResponses },
			},
		},
		async (request) => {
			const user = await sessions.authenticate(request.headers.authorization);
			const rows = await db
				.selectFrom('payments')
				.selectAll()
				.where('user_id', '=', user.id)
				.orderBy('created_at', 'desc')
				.limit(200)
				.execute();

			return { payments: rows.map((row) => paymentView(row, false)) };
		},
	);
}
