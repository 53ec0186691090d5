import type { Rule } from '../rule';
import { deepOffsetPagination } from './deep-offset-pagination';
import { fkWithoutIndex } from './fk-without-index';

/** Rules of the index advisor's area: what an index cannot show in a plan, or cannot fix. */
export const adviceRules: Rule[] = [fkWithoutIndex, deepOffsetPagination];
