// The image of a per-attendee sandbox: a minimal Debian with Docker (Debian's docker.io, 20.10 in bookworm), built
// locally with debootstrap and imported, so that each attendee gets a private Docker engine (Docker-in-Docker)
// without any registry. Built once: a label holds the digest of its recipe.
//
// Why a runtime wrapper: a swarm service cannot be given `--security-opt seccomp=unconfined` on this engine version,
// and the outer default seccomp profile blocks what runc does by default inside (a new session keyring, pivot_root).
// The inner dockerd therefore runs containers through a runc that always adds `--no-new-keyring --no-pivot` to
// `create`. Containers inside a sandbox are as isolated from each other as the sandbox allows: fine for a class.
//
// The way in is sshd (terminals, and checks through `docker system dial-stdio`, hence the docker CLI that docker.io
// brings): key only, root's authorized keys and the host key being the service's secrets (sandbox-spec.ts). The host
// keys the package generates at build time stay unused: every sandbox proves itself with its own.
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { ensureDebootstrapImage, type DebootstrapOptions, type DebootstrapRecipe } from './debootstrap-image.ts';
import type { LocalImage } from './images.ts';
import { SANDBOX_SECRET_FILES, SANDBOX_SSH_TARGET_PORT } from './sandbox-spec.ts';

export const SANDBOX_IMAGE = 'labdeck/sandbox:latest';

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

const DAEMON_JSON = `${JSON.stringify(
  {
    'default-runtime': 'labdeck-runc',
    runtimes: { 'labdeck-runc': { path: '/usr/local/bin/labdeck-runc' } },
  },
  null,
  2,
)}\n`;

// Debian's sshd_config includes this folder first, and sshd keeps the first value it reads for a keyword.
const SSHD_CONFIG = `# written by labdeck: only the class key gets in, as root (the sandbox is the attendee's machine)
Port ${SANDBOX_SSH_TARGET_PORT}
HostKey /run/secrets/${SANDBOX_SECRET_FILES.hostKey}
AuthorizedKeysFile /run/secrets/${SANDBOX_SECRET_FILES.authorizedKeys}
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintLastLog no
`;

const ENTRYPOINT = `#!/bin/sh
# labdeck sandbox: sshd (the way in), then the inner Docker engine. A failing sshd stops the task, which says why.
set -e
mkdir -p /run/sshd
/usr/sbin/sshd -e
exec dockerd --host unix:///var/run/docker.sock
`;

const PACKAGES = ['docker.io', 'iptables', 'ca-certificates', 'openssh-server'];
const CHANGES = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["/usr/local/bin/labdeck-sandbox"]'];
const FILES = [
  { path: 'usr/local/bin/labdeck-runc', content: RUNTIME_WRAPPER, mode: 0o755 },
  { path: 'usr/local/bin/labdeck-sandbox', content: ENTRYPOINT, mode: 0o755 },
  { path: 'etc/docker/daemon.json', content: DAEMON_JSON, mode: 0o644 },
  { path: 'etc/ssh/sshd_config.d/labdeck.conf', content: SSHD_CONFIG, mode: 0o644 },
];

export function sandboxImageRecipe(name: string = SANDBOX_IMAGE, suite = 'bookworm'): DebootstrapRecipe {
  const digest = createHash('sha256')
    .update(JSON.stringify([suite, PACKAGES, FILES, CHANGES]))
    .digest('hex');
  return { name, suite, packages: PACKAGES, files: FILES, changes: CHANGES, recipeLabel: 'org.labdeck.sandbox-recipe', digest };
}

/** The sandbox image, built on first use (about 70 s) and reused afterwards. */
export function ensureSandboxImage(docker: Docker, options: DebootstrapOptions & { readonly name?: string } = {}): Promise<LocalImage> {
  return ensureDebootstrapImage(docker, sandboxImageRecipe(options.name), options);
}
