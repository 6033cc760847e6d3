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

/**
 * `list[index]`, which the code around it has proved is there (a bound it checked, a regexp group that always takes
 * part in its match) where TypeScript cannot follow the proof. Should the proof ever break, this throws here, naming
 * the index, instead of letting an undefined travel on. The one such guard: use it rather than a `!`.
 */
export function elementAt<T>(list: ArrayLike<T>, index: number): T {
  const value = list[index];
  if (value === undefined) throw new RangeError(`expected an element at index ${index} (of ${list.length})`);
  return value;
}
