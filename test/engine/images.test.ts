// The lab's busybox image is built from the host's static busybox without any registry, and building it again is a
// no-op (same rootfs digest, same image). The toolbox (Debian, debootstrap) is built once and then reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureToolboxImage, TOOLBOX_IMAGE } from '../../src/engine/toolbox.ts';

test('labdeck/busybox: imported from /bin/busybox with its applets, idempotent', async () => {
  const docker = connectEngine({ host: process.env.DOCKER_HOST });
  const first = await ensureBusyboxImage(docker);
  const second = await ensureBusyboxImage(docker);
  assert.equal(second.built, false);
  assert.equal(second.id, first.id);
  const image = await docker.getImage('labdeck/busybox:latest').inspect();
  assert.match(image.Config.Labels?.['org.labdeck.rootfs-digest'] ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(image.Config.Cmd, ['sh']);
  assert.ok(image.Size > 1_000_000, 'the busybox binary is in the image');
});

test('labdeck/toolbox: built with debootstrap from its recipe, then reused as it is (bash, the apk stand-in)', async () => {
  const docker = connectEngine({ host: process.env.DOCKER_HOST });
  // Builds it once when missing (about a minute), as the lab does.
  const first = await ensureToolboxImage(docker);
  const second = await ensureToolboxImage(docker);
  assert.equal(second.built, false);
  assert.equal(second.id, first.id);
  const image = await docker.getImage(TOOLBOX_IMAGE).inspect();
  assert.match(image.Config.Labels?.['org.labdeck.toolbox-recipe'] ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(image.Config.Cmd, ['sh']);
  const output = await runIn(docker, TOOLBOX_IMAGE, ['sh', '-c', 'command -v bash && apk add curl']);
  assert.match(output, /\/bash\n/);
  assert.match(output, /curl: already installed/);
});

/** Runs a command in a throwaway container and returns what it printed. */
async function runIn(docker: ReturnType<typeof connectEngine>, image: string, cmd: string[]): Promise<string> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Tty: true, HostConfig: { NetworkMode: 'none' } });
  try {
    await container.start();
    await container.wait();
    return (await container.logs({ stdout: true, stderr: true })).toString().replace(/\r/g, '');
  } finally {
    await container.remove({ force: true });
  }
}
