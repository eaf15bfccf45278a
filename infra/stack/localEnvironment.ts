// Decides which local servers a run needs: those whose settings the
// environment leaves unset. Servers named by the environment are probed
// instead, so a wrong URL stops the run with one line naming it.

import { probeMongo } from '../../common/clients/mongo.ts';
import { probePostgres } from '../../common/clients/postgres.ts';
import { probeRedis } from '../../common/clients/redis.ts';
import { probeS3 } from '../../common/clients/s3.ts';
import type { Config } from '../../common/config.ts';
import type { ServerName } from './LocalStack.ts';

/** The servers that have to be started locally, after probing the given ones. */
export async function serversToStart(config: Config): Promise<ServerName[]> {
	const given: [ServerName, string | undefined, (url: string) => Promise<void>][] = [
		['postgres', config.postgres.url, (url) => probePostgres(url)],
		['redis', config.redis.url, (url) => probeRedis(url)],
		['ferretdb', config.mongo.url, (url) => probeMongo(url)],
		['minio', config.s3.endpoint, () => probeS3(config.s3)],
	];
	const local: ServerName[] = [];

	for (const [name, url, probe] of given) {
		if (url === undefined) {
			local.push(name);
		} else {
			await probe(url);
		}
	}

	return local;
}
