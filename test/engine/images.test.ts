// The lab's busybox image is built from the host's static busybox without any registry, and building it again is a
// no-op (same rootfs digest, same image).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';

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
