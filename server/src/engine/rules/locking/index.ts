import type { Rule } from "../rule";

/** Lock and migration-safety rules (issue 5), one file each. */
export const lockingRules: Rule[] = [];
