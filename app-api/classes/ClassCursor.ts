// The opaque page cursor of the class listing: the sort key of the last row
// of a page, so the next page starts after it even while rows are added.

import { z } from 'zod';

import { ApiError } from '../ApiError.ts';

const CursorShape = z.tuple([z.iso.datetime(), z.uuid()]);

export interface ClassCursor {
	startsAt: Date;
	id: string;
}

export function encodeClassCursor(cursor: ClassCursor): string {
	return Buffer.from(JSON.stringify([cursor.startsAt.toISOString(), cursor.id])).toString(
		'base64url',
	);
}

/** Decodes a cursor from a query string; a damaged one is an ApiError `validation_failed`. */
export function decodeClassCursor(value: string): ClassCursor {
	try {
		const [startsAt, id] = CursorShape.parse(
			JSON.parse(Buffer.from(value, 'base64url').toString('utf8')),
		);

		return { startsAt: new Date(startsAt), id };
	} catch {
		throw new ApiError('validation_failed', 'querystring.cursor: is not a cursor from this API', [
			{ path: 'querystring.cursor', message: 'is not a cursor from this API' },
		]);
	}
}
