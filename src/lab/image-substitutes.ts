// What the offline lab stands in for, in a module of its own: the check catalog needs these names (lint, check,
// serve), and importing them must not load the engine's client with the rest of lab.ts.
import { TOOLBOX_IMAGE } from '../engine/toolbox.ts';

/**
 * Images a connected classroom would pull, and the local image the lab stands in for them. The lab tags the toolbox
 * with these names (when the engine has no such image), so the workshop's commands run as written; the check
 * catalog accepts either name (`imageSubstitutes`).
 */
export const IMAGE_SUBSTITUTES: Readonly<Record<string, string>> = Object.freeze({
  alpine: TOOLBOX_IMAGE,
  'nicolaka/netshoot': TOOLBOX_IMAGE,
});
