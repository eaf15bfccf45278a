// The baseline of the join-token benchmark: a minimal fastify route that
// parses the same kind of request and answers a small JSON body, with no
// database, no session and no signing. Port from BASELINE_PORT.

import Fastify from 'fastify';

const app = Fastify({ logger: false });

app.post('/classes/:id/join-token', async () => ({ token: 'x'.repeat(400) }));
app.get('/healthz', async () => ({ status: 'ok' }));

await app.listen({ port: Number(process.env.BASELINE_PORT), host: '127.0.0.1' });

process.on('SIGTERM', () => {
	void app.close().then(() => process.exit(0));
});
