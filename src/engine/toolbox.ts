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
import { ensureDebootstrapImage, type DebootstrapRecipe } from './debootstrap-image.ts';
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

const IMAGE_CHANGES = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["sh"]'];

export async function ensureToolboxImage(docker: Docker, options: ToolboxImageOptions = {}): Promise<LocalImage> {
  const { mirror, log } = options;
  return ensureDebootstrapImage(docker, toolboxRecipe(options.name ?? TOOLBOX_IMAGE, options.suite ?? 'bookworm'), {
    ...(mirror === undefined ? {} : { mirror }),
    ...(log === undefined ? {} : { log }),
  });
}

function toolboxRecipe(name: string, suite: string): DebootstrapRecipe {
  // The digest hashes what it always did, so a toolbox built before the recipe moved here is still reused.
  const digest = createHash('sha256')
    .update(JSON.stringify([suite, PACKAGES, APK_SHIM, IMAGE_CHANGES]))
    .digest('hex');
  return {
    name,
    suite,
    packages: PACKAGES,
    files: [{ path: 'usr/local/bin/apk', content: APK_SHIM, mode: 0o755 }],
    changes: IMAGE_CHANGES,
    recipeLabel: RECIPE_LABEL,
    digest,
  };
}
