// The lab's toolbox image: a minimal Debian with the tools the workshop installs (curl, ab, drill, nslookup, ping),
// built on this machine with debootstrap from Debian's package mirror and imported (`docker import`): no container
// registry. It takes a minute, so it is built once: a label holds the digest of its recipe, and an image with the
// same recipe is reused as it is.
//
// Workshops written for a connected classroom run `apk add curl apache2-utils drill` in an alpine container. The
// toolbox stands in for alpine, so it carries a tiny `apk` that reports the tools as already installed (and fails
// for anything it does not have) instead of reaching for a package index.
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRootfs, inspectImageByName } from './import-image.ts';
import type { LocalImage } from './images.ts';

export interface ToolboxImageOptions {
  readonly name?: string;
  /** Debian suite to bootstrap. */
  readonly suite?: string;
  /** A Debian mirror URL; debootstrap's default when undefined. */
  readonly mirror?: string;
  /** Lines of progress (debootstrap's own `I: ...` lines included). */
  readonly log?: (line: string) => void;
}

export const TOOLBOX_IMAGE = 'labdeck/toolbox:latest';

const RECIPE_LABEL = 'org.labdeck.toolbox-recipe';
const PACKAGES = ['curl', 'apache2-utils', 'ldnsutils', 'iputils-ping', 'dnsutils'];

/** Alpine package names the workshop uses → the command that proves the toolbox has them. */
const APK_SHIM = `#!/bin/sh
# labdeck toolbox: an offline stand-in for Alpine's apk. The toolbox has no package index; it was built with the
# tools workshops install, so \`apk add\` reports them as installed, and fails for a package it does not have.
case "$1" in
  add)
    shift
    status=0
    for package in "$@"; do
      case "$package" in
        -*) continue ;;
        curl) tool=curl ;;
        apache2-utils) tool=ab ;;
        drill) tool=drill ;;
        bind-tools) tool=nslookup ;;
        iputils) tool=ping ;;
        *) tool=$package ;;
      esac
      if command -v "$tool" >/dev/null 2>&1; then
        echo "(labdeck toolbox) $package: already installed ($(command -v "$tool"))"
      else
        echo "ERROR: $package: not available in the offline labdeck toolbox" >&2
        status=1
      fi
    done
    [ "$status" = 0 ] && echo "OK: nothing to install (offline labdeck toolbox)"
    exit "$status" ;;
  update|upgrade|info|list) echo "OK: offline labdeck toolbox, no package index"; exit 0 ;;
  *) echo "apk (labdeck toolbox): only 'apk add' works offline" >&2; exit 1 ;;
esac
`;

const IMAGE_CHANGES = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'CMD ["sh"]',
];

export async function ensureToolboxImage(docker: Docker, options: ToolboxImageOptions = {}): Promise<LocalImage> {
  const name = options.name ?? TOOLBOX_IMAGE;
  const suite = options.suite ?? 'bookworm';
  const log = options.log ?? (() => {});
  const recipe = createHash('sha256').update(JSON.stringify([suite, PACKAGES, APK_SHIM, IMAGE_CHANGES])).digest('hex');

  const existing = await inspectImageByName(docker, name);
  if (existing?.Config?.Labels?.[RECIPE_LABEL] === recipe) return { name, id: existing.Id, built: false };

  const root = await mkdtemp(join(tmpdir(), 'labdeck-toolbox-'));
  try {
    log(`building ${name} with debootstrap (${suite}: ${PACKAGES.join(', ')}); this takes about a minute, once`);
    const mirror = options.mirror === undefined ? [] : [options.mirror];
    await run('debootstrap', ['--variant=minbase', `--include=${PACKAGES.join(',')}`, suite, root, ...mirror], log);
    await writeFile(join(root, 'usr/local/bin/apk'), APK_SHIM);
    await chmod(join(root, 'usr/local/bin/apk'), 0o755);
    // Downloaded packages, indexes and documentation are half the size and of no use in a container.
    for (const path of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info']) {
      await rm(join(root, path), { recursive: true, force: true });
    }
    log(`importing ${name}`);
    const tar = spawn('tar', ['--numeric-owner', '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-C', root, '-cf', '-', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tarErrors = '';
    tar.stderr.on('data', (chunk: Buffer) => { tarErrors += chunk.toString(); });
    const tarDone = new Promise<void>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}: ${tarErrors.trim()}`))));
    });
    const [id] = await Promise.all([importRootfs(docker, tar.stdout, name, [`LABEL ${RECIPE_LABEL}=${recipe}`, ...IMAGE_CHANGES]), tarDone]);
    return { name, id, built: true };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs a program, passing its output lines to `log`; rejects with the last lines when it fails. */
function run(program: string, args: readonly string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        log(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => reject(new Error(`cannot run ${program}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${program} exited with ${code}:\n${tail.join('\n')}`));
    });
  });
}
