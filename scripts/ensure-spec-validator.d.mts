// Types of scripts/ensure-spec-validator.mjs (plain Node, so pretest can run it before tsx exists).
export declare const SPEC_VALIDATOR_FILE: string;
export declare function specValidatorStamp(): string;
export declare function isSpecValidatorCurrent(): boolean;
export declare function ensureSpecValidator(): void;
