// One error type for everything a person wrote wrong (workshop.yml, chapters, check specs): it names the place.
import type { SourceLocation } from './deck/types.ts';

export class LabdeckError extends Error {
  readonly location: SourceLocation | undefined;

  constructor(message: string, location?: SourceLocation) {
    super(location ? `${location.file}:${location.line}: ${message}` : message);
    this.name = 'LabdeckError';
    this.location = location;
  }
}
