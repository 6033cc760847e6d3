// The image of a per-attendee sandbox: a minimal Debian with Docker (Debian's docker.io, 20.10 in bookworm), built
// locally with debootstrap and imported, so that each attendee gets a private Docker engine (Docker-in-Docker)
// without any registry. Built once: a label holds the digest of its recipe.
//
// Why a runtime wrapper: a swarm service cannot be given `--security-opt seccomp=unconfined` on this engine version,
// and the outer default seccomp profile blocks what runc does by default inside (a new session keyring, pivot_root).
// The inner dockerd therefore runs containers through a runc that always adds `--no-new-keyring --no-pivot` to
// `create`. Containers inside a sandbox are as isolated from each other as the sandbox allows: fine for a class.
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { ensureDebootstrapImage, type DebootstrapOptions, type DebootstrapRecipe } from './debootstrap-image.ts';
import type { LocalImage } from './images.ts';

export const SANDBOX_IMAGE = 'labdeck/sandbox:latest';
/** Inside the sandbox: the folder bind-mounted from the host, where the inner engine also listens. */
export const SANDBOX_SOCKET_FOLDER = '/labdeck';

const RUNTIME_WRAPPER = `#!/bin/sh
# labdeck sandbox: runc with --no-new-keyring --no-pivot added after the \`create\` subcommand. The sandbox runs under
# the outer engine's default seccomp profile, which refuses the session keyring and pivot_root that runc would use.
added=no
for argument do
  shift
  set -- "$@" "$argument"
  if [ "$added" = no ] && [ "$argument" = create ]; then
    set -- "$@" --no-new-keyring --no-pivot
    added=yes
  fi
done
for runc in /usr/sbin/runc /usr/bin/runc; do
  [ -x "$runc" ] && exec "$runc" "$@"
done
echo "labdeck-runc: runc not found" >&2
exit 127
`;

const DAEMON_JSON = `${JSON.stringify({
  'default-runtime': 'labdeck-runc',
  runtimes: { 'labdeck-runc': { path: '/usr/local/bin/labdeck-runc' } },
}, null, 2)}\n`;

const PACKAGES = ['docker.io', 'iptables', 'ca-certificates'];
const CHANGES = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  `CMD ["dockerd", "--host", "unix:///var/run/docker.sock", "--host", "unix://${SANDBOX_SOCKET_FOLDER}/docker.sock"]`,
];
const FILES = [
  { path: 'usr/local/bin/labdeck-runc', content: RUNTIME_WRAPPER, mode: 0o755 },
  { path: 'etc/docker/daemon.json', content: DAEMON_JSON, mode: 0o644 },
];

export function sandboxImageRecipe(name: string = SANDBOX_IMAGE, suite = 'bookworm'): DebootstrapRecipe {
  const digest = createHash('sha256').update(JSON.stringify([suite, PACKAGES, FILES, CHANGES])).digest('hex');
  return { name, suite, packages: PACKAGES, files: FILES, changes: CHANGES, recipeLabel: 'org.labdeck.sandbox-recipe', digest };
}

/** The sandbox image, built on first use (about 70 s) and reused afterwards. */
export function ensureSandboxImage(docker: Docker, options: DebootstrapOptions & { readonly name?: string } = {}): Promise<LocalImage> {
  return ensureDebootstrapImage(docker, sandboxImageRecipe(options.name), options);
}
