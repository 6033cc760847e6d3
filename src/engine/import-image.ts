// Importing a root filesystem tar as an image (`docker import`), and looking images up by name: what the lab's
// locally built images (toolbox) need. No registry is involved at any point.
import type Docker from 'dockerode';

export interface ImageInfo {
  readonly Id: string;
  readonly Config?: { readonly Labels?: Readonly<Record<string, string>> | null };
}

/** The image, or undefined when the engine has none by that name. */
export async function inspectImageByName(docker: Docker, name: string): Promise<ImageInfo | undefined> {
  try {
    return await docker.getImage(name).inspect();
  } catch (problem) {
    if ((problem as { statusCode?: number }).statusCode === 404) return undefined;
    throw problem;
  }
}

/** `repo:tag` → [repo, tag] (`latest` when there is no tag; a registry port is not a tag). */
export function splitImageName(name: string): [string, string] {
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? [name.slice(0, colon), name.slice(colon + 1)] : [name, 'latest'];
}

/** Imports a rootfs tar stream as `name`, with Dockerfile-style `changes` (LABEL, ENV, CMD); resolves to the image ID. */
export async function importRootfs(docker: Docker, tar: NodeJS.ReadableStream, name: string, changes: readonly string[]): Promise<string> {
  const [repo, tag] = splitImageName(name);
  const progress = await docker.importImage(tar, { repo, tag, changes: [...changes] } as object);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (error: Error | null, messages: { error?: string }[]) => {
      const failure = error ?? messages.find((m) => m.error)?.error;
      if (failure) reject(failure instanceof Error ? failure : new Error(failure));
      else resolve();
    });
  });
  const image = await inspectImageByName(docker, name);
  if (!image) throw new Error(`importing ${name} did not produce an image`);
  return image.Id;
}

/** Gives an existing image one more name (e.g. the toolbox as `alpine:latest`). */
export async function tagImage(docker: Docker, image: string, name: string): Promise<void> {
  const [repo, tag] = splitImageName(name);
  await docker.getImage(image).tag({ repo, tag });
}

/** Removes one name of an image (the image stays while other names point to it). */
export async function untagImage(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getImage(name).remove({ noprune: true });
  } catch (problem) {
    if ((problem as { statusCode?: number }).statusCode !== 404) throw problem;
  }
}
