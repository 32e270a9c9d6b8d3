/**
 * Shape of the ahead-of-time compiled validator modules in generated/ (ajv standalone output).
 *
 * Owns: the contract between the generated modules and the runtime wrapper (index.ts).
 * Must not: import ajv at runtime; these are types only.
 */

/** One ajv error object; `params` depends on `keyword` (e.g. `missingProperty` for `required`). */
export interface CompiledError {
  /** JSON pointer to the offending value, '' for the payload itself */
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  /** only present in modules compiled with messages (the config validator) */
  message?: string;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  /** set after a failed call: the first error (OCPP modules compile with allErrors: false) */
  errors?: CompiledError[] | null;
}

export interface ValidatorPair {
  readonly request: CompiledValidator;
  readonly response: CompiledValidator;
}

/** What `generated/<version>/validators.ts` exports. */
export interface CompiledVersionModule {
  readonly csToCsms: readonly string[];
  readonly csmsToCs: readonly string[];
  readonly validators: Readonly<Record<string, ValidatorPair>>;
}
