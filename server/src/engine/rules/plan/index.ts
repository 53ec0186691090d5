import type { Rule } from '../rule';
import { costBudget } from './cost-budget';
import { functionOnIndexedColumn } from './function-on-indexed-column';
import { joinWithoutCondition } from './join-without-condition';
import { indexWouldHelp } from './index-would-help';
import { largeSort } from './large-sort';
import { leadingWildcardLike } from './leading-wildcard-like';
import { limitTrap } from './limit-trap';
import { modifyScansLargeTable } from './modify-scans-large-table';
import { nestedLoopInnerScan } from './nested-loop-inner-scan';
import { seqScanLargeTable } from './seq-scan-large-table';

/** Rules that read the statement's EXPLAIN plan, one file each. */
export const planRules: Rule[] = [
  seqScanLargeTable,
  functionOnIndexedColumn,
  leadingWildcardLike,
  largeSort,
  limitTrap,
  nestedLoopInnerScan,
  modifyScansLargeTable,
  joinWithoutCondition,
  costBudget,
  // Last: the advisor attaches its index to the other rules' findings first (applyAdvice).
  indexWouldHelp,
];
