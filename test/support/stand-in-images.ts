// Offline stand-ins for the registry images container.training's swarm/firstservice.md pulls, on the class engine, so
// that a cluster's `images:` copies them into every node, as `labdeck lab up` tags its toolbox `alpine` for the seed
// chapter. Each is made only when the engine has no image by that name, and removed (or untagged) afterwards.
import type Docker from 'dockerode';
import { inspectImageByName, tagImage, untagImage } from '../../src/engine/import-image.ts';

const BUSYBOX = 'labdeck/busybox:latest';
const STAND_IN_LABEL = 'org.labdeck.stand-in';

/**
 * `elasticsearch:2`: busybox's httpd on port 9200, answering `/` with a little JSON document as ElasticSearch does
 * (`name` differs per instance: its hostname, where ElasticSearch picks a random super-hero), which the chapter's
 * `curl -s localhost:9200 | jq .name` reads.
 */
const SEARCH_SCRIPT = [
  'mkdir -p /www',
  'printf \'{"name":"%s","cluster_name":"elasticsearch","version":{"number":"2.4.6"},"tagline":"You Know, for Search"}\\n\' "$(hostname)" >/www/index.html',
  'exec httpd -f -p 9200 -h /www',
].join(' && ');

export interface StandIns {
  /** The image names the chapter uses, present on the engine now (for the cluster's `images:`). */
  readonly names: readonly string[];
  /** Removes what was made here (nothing that was there before). */
  remove(): Promise<void>;
}

/**
 * `alpine` (busybox, as Alpine's own `ping` is: the chapter's `pingpong` service runs `ping 8.8.8.8`) and
 * `elasticsearch:2`.
 */
export async function ensureFirstServiceStandIns(docker: Docker): Promise<StandIns> {
  const made: { name: string; untagOnly: boolean }[] = [];
  if (!(await inspectImageByName(docker, 'alpine:latest'))) {
    await tagImage(docker, BUSYBOX, 'alpine:latest');
    made.push({ name: 'alpine:latest', untagOnly: true });
  }
  if (!(await inspectImageByName(docker, 'elasticsearch:2'))) {
    const container = await docker.createContainer({ Image: BUSYBOX, Cmd: ['true'] });
    try {
      await container.commit({
        repo: 'elasticsearch',
        tag: '2',
        changes: [`CMD ["sh", "-c", ${JSON.stringify(SEARCH_SCRIPT)}]`, 'EXPOSE 9200', `LABEL ${STAND_IN_LABEL}=elasticsearch`],
      });
    } finally {
      await container.remove({ force: true });
    }
    made.push({ name: 'elasticsearch:2', untagOnly: false });
  }
  return {
    names: ['alpine:latest', 'elasticsearch:2'],
    async remove() {
      for (const { name, untagOnly } of made) {
        if (untagOnly) await untagImage(docker, name).catch(() => {});
        else
          await docker
            .getImage(name)
            .remove({ force: true })
            .catch(() => {});
      }
    },
  };
}
