// Builds what several test files share, once, before scripts/run-tests.mjs starts them side by side: the lab's
// images. Each file also ensures them itself (a file run on its own needs them), but two files building the same
// image at once race (each imports it; the tag moves between them, and engine/images sees a different id). Built
// here first, every later ensure is a no-op. The same calls as the tests and the lab, with the same options.
import { connectEngine } from '../../src/engine/docker.ts';
import { ensureBusyboxImage } from '../../src/engine/images.ts';
import { ensureToolboxImage } from '../../src/engine/toolbox.ts';
import { ensureSandboxImage } from '../../src/engine/sandbox-image.ts';

const docker = connectEngine({ host: process.env.DOCKER_HOST });
const log = (line: string): void => {
  if (!/^I: (Retriev|Validat|Extract|Unpack|Configur|Check|Found)/.test(line)) console.log(`[prepare] ${line}`);
};
for (const image of [await ensureBusyboxImage(docker), await ensureToolboxImage(docker, { log }), await ensureSandboxImage(docker, { log })]) {
  console.log(`[prepare] ${image.name}: ${image.built ? 'built' : 'up to date'}`);
}
