// Hot queries as PostgreSQL prepared statements. A kysely query is built
// and compiled again on every call, and pg sends its text for PostgreSQL to
// parse and plan each time; a prepared query is compiled once, and each
// connection parses it once under a name, then sends only its parameters.
// Only queries made with prepareQuery() are named, so the statements a
// connection keeps stay few whatever else the application asks.

import type { Compilable, Kysely, PostgresPool, PostgresPoolClient, QueryResult } from 'kysely';
import type pg from 'pg';

/** Statement names by SQL text, shared by every pool: the text is the statement. */
const statementNames = new Map<string, string>();

/**
 * The pool for kysely's PostgresDialect: the same connections, but a query
 * whose text prepareQuery() registered runs as its named statement.
 */
export function namingPool(pool: pg.Pool): PostgresPool {
	const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();

	const wrap = (client: pg.PoolClient): PostgresPoolClient => {
		const query = (textOrCursor: unknown, values?: readonly unknown[]): unknown => {
			const name = typeof textOrCursor === 'string' ? statementNames.get(textOrCursor) : undefined;

			return name === undefined
				? client.query(textOrCursor as string, values as unknown[])
				: client.query({ name, text: textOrCursor as string, values: values as unknown[] });
		};

		return {
			query: query as PostgresPoolClient['query'],
			release: (destroy) => client.release(destroy),
		};
	};

	return {
		async connect() {
			const client = await pool.connect();
			let wrapper = wrappers.get(client);

			if (wrapper === undefined) {
				wrapper = wrap(client);
				wrappers.set(client, wrapper);
			}

			return wrapper;
		},
		end: () => pool.end(),
	};
}

/** A marker standing for one argument while the query is compiled. */
const placeholder = (index: number): string => `\u0000prepared-argument-${index}`;

/**
 * A query compiled once, from `build` called with one placeholder per
 * argument; each argument must be used as a value (a parameter), which is
 * checked here. Runs through a kysely made by createKysely(), as a named
 * statement on each connection.
 */
export function prepareQuery<DB, Args extends unknown[], Row>(
	db: Kysely<DB>,
	build: (...args: Args) => Compilable<Row>,
): (...args: Args) => Promise<QueryResult<Row>> {
	const arity = build.length;
	const markers = Array.from({ length: arity }, (_, index) => placeholder(index));
	const compiled = build(...(markers as Args)).compile();
	// For each compiled parameter, the argument it takes, or -1 for a constant.
	const slots = compiled.parameters.map((value) => markers.indexOf(value as string));

	for (let index = 0; index < arity; index += 1) {
		if (!slots.includes(index)) {
			throw new TypeError(`argument ${index} of a prepared query is not used as a value`);
		}
	}

	if (!statementNames.has(compiled.sql)) {
		statementNames.set(compiled.sql, `prepared_${statementNames.size + 1}`);
	}

	return (...args: Args) =>
		db.executeQuery<Row>({
			...compiled,
			parameters: slots.map((slot, index) =>
				slot === -1 ? compiled.parameters[index] : args[slot],
			),
		});
}
