// One error type for everything a person wrote wrong (workshop.yml, chapters, check specs): it names the place.
/** Where something a person wrote is (a manifest line, a chapter line, a spec line). `line` is 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export class LabdeckError extends Error {
  readonly location: SourceLocation | undefined;

  constructor(message: string, location?: SourceLocation) {
    super(location ? `${location.file}:${location.line}: ${message}` : message);
    this.name = 'LabdeckError';
    this.location = location;
  }
}
