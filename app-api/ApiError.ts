// The one error type a client of the app API sees: a stable code, the HTTP
// status that goes with it, and a message a person can act on.

/** Every code the API answers with, its status and what it means. */
export const API_ERRORS = {
	validation_failed: [400, 'the body, query or path does not match the route schema'],
	malformed_body: [400, 'the body is not valid JSON'],
	unauthorized: [401, 'no valid bearer session, or wrong email or password'],
	forbidden: [403, 'the role of the caller does not allow this'],
	not_enrolled: [403, 'the student is not enrolled in the class'],
	not_found: [404, 'the route or the thing named does not exist'],
	conflict: [409, 'the request contradicts stored data (email taken, key reused)'],
	invalid_state: [409, 'the class is not in a state that allows this'],
	payload_too_large: [413, 'the body is larger than the API accepts'],
	unsupported_media_type: [415, 'bodies must be application/json'],
	unavailable: [503, 'a backing service is unavailable; retry shortly'],
	internal: [500, 'the server failed; the request may be retried'],
} as const satisfies Record<string, readonly [number, string]>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
	error: { code: ApiErrorCode; message: string; issues?: { path: string; message: string }[] };
}

export class ApiError extends Error {
	override readonly name = 'ApiError';
	readonly status: number;

	constructor(
		readonly code: ApiErrorCode,
		message: string = API_ERRORS[code][1],
		readonly issues?: { path: string; message: string }[],
	) {
		super(message);
		this.status = API_ERRORS[code][0];
	}

	toBody(): ApiErrorBody {
		return {
			error: {
				code: this.code,
				message: this.message,
				...(this.issues === undefined ? {} : { issues: this.issues }),
			},
		};
	}
}
