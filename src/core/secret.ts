const REDACTED = '[REDACTED]';

/**
 * A secret value that never prints itself: logs, JSON and string coercion all show `[REDACTED]`.
 * Call `reveal()` at the single place the plaintext is really needed.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}
