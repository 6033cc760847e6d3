// Building an image from Debian's packages with debootstrap and importing it (`docker import`): no container
// registry is involved. The caller names a recipe digest, kept as a label, so that an image built from the same recipe
// is reused as it is (a build takes about a minute).
import type Docker from 'dockerode';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { importRootfs, inspectImageByName } from './import-image.ts';
import type { LocalImage } from './images.ts';

export interface DebootstrapRecipe {
  /** `repo:tag` */
  readonly name: string;
  /** Debian suite to bootstrap. */
  readonly suite: string;
  readonly packages: readonly string[];
  /** Files written into the root filesystem after debootstrap (path relative to `/`). */
  readonly files: readonly { readonly path: string; readonly content: string; readonly mode: number }[];
  /** Dockerfile-style changes for the import (ENV, CMD, ...). */
  readonly changes: readonly string[];
  /** The label whose value says which recipe built the image. */
  readonly recipeLabel: string;
  /** The recipe's digest (a hash of everything above that shapes the image). */
  readonly digest: string;
}

export interface DebootstrapOptions {
  /** A Debian mirror URL; debootstrap's default when undefined. */
  readonly mirror?: string;
  /** Lines of progress (debootstrap's own `I: ...` lines included). */
  readonly log?: (line: string) => void;
}

/** The image, reused when its label matches the recipe's digest, else bootstrapped and imported. */
export async function ensureDebootstrapImage(docker: Docker, recipe: DebootstrapRecipe, options: DebootstrapOptions = {}): Promise<LocalImage> {
  const log = options.log ?? (() => {});
  const existing = await inspectImageByName(docker, recipe.name);
  if (existing?.Config?.Labels?.[recipe.recipeLabel] === recipe.digest) return { name: recipe.name, id: existing.Id, built: false };

  const root = await mkdtemp(join(tmpdir(), 'labdeck-debootstrap-'));
  try {
    log(`building ${recipe.name} with debootstrap (${recipe.suite}: ${recipe.packages.join(', ')}); this takes about a minute, once`);
    const mirror = options.mirror === undefined ? [] : [options.mirror];
    await run('debootstrap', ['--variant=minbase', `--include=${recipe.packages.join(',')}`, recipe.suite, root, ...mirror], log);
    for (const file of recipe.files) {
      const path = join(root, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
      await chmod(path, file.mode);
    }
    // Downloaded packages, indexes and documentation are a large part of the size and of no use in a container.
    for (const path of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info']) {
      await rm(join(root, path), { recursive: true, force: true });
    }
    log(`importing ${recipe.name}`);
    const tar = spawn('tar', ['--numeric-owner', '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-C', root, '-cf', '-', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tarErrors = '';
    tar.stderr.on('data', (chunk: Buffer) => {
      tarErrors += chunk.toString();
    });
    const tarDone = new Promise<void>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}: ${tarErrors.trim()}`))));
    });
    const changes = [`LABEL ${recipe.recipeLabel}=${recipe.digest}`, ...recipe.changes];
    const [id] = await Promise.all([importRootfs(docker, tar.stdout, recipe.name, changes), tarDone]);
    return { name: recipe.name, id, built: true };
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
