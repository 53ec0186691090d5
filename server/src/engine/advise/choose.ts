// Choosing the index: what-if plans for a few candidates picked greedily (the composite a DBA would write first,
// then cheaper variants of whatever helped), and the cheapest one that reaches 90% of the best saving found.
// A suggestion must cut the statement's cost by `minCostReduction` (50% by default), judged by `effectiveCost`,
// which does not let a LIMIT hide a long scan.

import { indexesOf, type SchemaFacts } from '../db/schemaFacts';
import type { ParsedStatement } from '../parse/parse';
import { effectiveCost } from '../plan/effectiveCost';
import type { PlanNode } from '../plan/model';
import {
  coveringVariant,
  definitionKey,
  existingIndexCovering,
  tableCandidates,
  type CandidateContext,
  type IndexCandidate,
  type ScannedTable,
} from './candidates';
import type { WhatIf } from './whatIf';

export { effectiveCost };

export interface Evaluated {
  set: IndexCandidate[];
  /** Effective cost with the set, or undefined when it could not be planned (GIN under hypopg, no trial allowed). */
  cost?: number;
  /** 1 - cost / baseline */
  saving?: number;
  sizeBytes: number;
  used: boolean;
  verified: boolean;
  plan?: PlanNode;
}

export interface SearchResult {
  baselineCost: number;
  /** Everything tried, in order. */
  evaluated: Evaluated[];
  /** The best saving found. */
  best?: Evaluated;
  /** The cheapest set reaching 90% of the best saving (and the minimum reduction). */
  chosen?: Evaluated;
  /** A candidate that could not be verified here (GIN with hypopg, no what-if method) but is the likely fix. */
  unverified?: Evaluated;
  /** Candidates skipped because an existing index already does their job. */
  duplicates: { candidate: IndexCandidate; existing: string }[];
}

export interface SearchOptions {
  minCostReduction: number;
  context: CandidateContext;
  /** Share of the best saving that the cheapest suggestion must reach. */
  nearBest?: number;
}

/**
 * The smaller index first (what it costs on disk and on every write), then fewer columns. Sizes within 10% count as
 * equal, so a (a) index is not beaten by an (a, b) index that is a few pages smaller by the estimate's noise.
 */
export function cheaperFirst(a: Evaluated, b: Evaluated): number {
  const width = (e: Evaluated) => e.set.reduce((n, c) => n + c.keys.length + c.include.length, 0) + (e.set.length - 1) * 2;
  const larger = Math.max(a.sizeBytes, b.sizeBytes);
  if (larger > 0 && Math.abs(a.sizeBytes - b.sizeBytes) > larger * 0.1) return a.sizeBytes - b.sizeBytes;
  return width(a) - width(b) || a.sizeBytes - b.sizeBytes;
}

/** The cheapest of the evaluated sets reaching `nearBest` of the best saving, when the best reaches the minimum. */
export function pickCheapest(evaluated: Evaluated[], minCostReduction: number, nearBest = 0.9): { best?: Evaluated; chosen?: Evaluated } {
  const measured = evaluated.filter((e) => e.saving !== undefined && e.used);
  if (measured.length === 0) return {};
  const best = measured.reduce((a, b) => (b.saving! > a.saving! ? b : a));
  if (best.saving! < minCostReduction) return { best };
  const good = measured.filter((e) => e.saving! >= minCostReduction && e.saving! >= best.saving! * nearBest).sort(cheaperFirst);
  return { best, chosen: good[0] };
}

/**
 * Greedy search over the scanned tables (costliest first, at most three): the composite; the partial variant when
 * the statement compares columns with constants; the OR sets; then, only around what helped, the shorter prefixes
 * and the covering variant. A few plans per table instead of hundreds.
 */
export async function searchIndexes(
  statement: ParsedStatement,
  tables: ScannedTable[],
  schema: SchemaFacts,
  whatIf: WhatIf,
  baseline: PlanNode,
  options: SearchOptions,
): Promise<SearchResult> {
  const baselineCost = effectiveCost(baseline);
  const result: SearchResult = { baselineCost, evaluated: [], duplicates: [] };
  const tried = new Set<string>();
  const evaluate = async (set: IndexCandidate[]): Promise<Evaluated | undefined> => {
    const key = set.map(definitionKey).join(' + ');
    if (tried.has(key)) return result.evaluated.find((e) => e.set.map(definitionKey).join(' + ') === key);
    tried.add(key);
    for (const candidate of set) {
      const existing = existingIndexCovering(candidate, schema);
      if (existing) {
        result.duplicates.push({ candidate, existing: existing.name });
        return undefined;
      }
    }
    if (!whatIf.canVerify(set)) {
      const unverified: Evaluated = { set, sizeBytes: 0, used: false, verified: false };
      result.evaluated.push(unverified);
      return unverified;
    }
    const outcome = await whatIf.evaluate(statement, set);
    if (!outcome) return undefined;
    const cost = effectiveCost(outcome.root);
    const evaluated: Evaluated = {
      set,
      cost,
      saving: baselineCost > 0 ? 1 - cost / baselineCost : 0,
      sizeBytes: outcome.sizeBytes,
      used: outcome.used,
      verified: true,
      plan: outcome.root,
    };
    result.evaluated.push(evaluated);
    return evaluated;
  };

  for (const { uses, scan } of tables.slice(0, 3)) {
    // A table whose scan is a small part of the statement cannot halve its cost with an index of its own.
    if (scan.totalCost < baselineCost * 0.2 && tables.length > 1 && baseline.totalCost >= baselineCost) continue;
    // A join column that already leads an index (usually the primary key) is looked up through that index.
    const served = new Set(indexesOf(schema, uses.table).filter((i) => i.valid && !i.predicate && i.method === 'btree').map((i) => i.keys[0]));
    const candidates = tableCandidates({ ...uses, uses: uses.uses.filter((u) => !(u.join && served.has(u.key))) }, options.context);
    const first: IndexCandidate[][] = [];
    if (candidates.composite) first.push([candidates.composite]);
    if (candidates.partial) first.push([candidates.partial]);
    // In a join, the table's own filter and sort columns without the join key: `(amount)` for a filter on this side,
    // `(date)` for ORDER BY date LIMIT n over the join, where the join key in front would serve neither.
    if (uses.uses.some((u) => u.join)) {
      const own = tableCandidates({ ...uses, uses: uses.uses.filter((u) => !u.join) }, options.context);
      if (own.composite) first.push([own.composite]);
      if (own.partial) first.push([own.partial]);
    }
    for (const set of candidates.orSets) first.push(set);
    for (const gin of candidates.gin) first.push([gin]);
    const outcomes: Evaluated[] = [];
    for (const set of first) {
      const outcome = await evaluate(set);
      if (outcome) outcomes.push(outcome);
    }
    // The composite may be a duplicate of an index that the plan does not use; its prefixes may not be.
    const helped = outcomes.filter((o) => o.used && (o.saving ?? 0) >= options.minCostReduction);
    const compositeDuplicate = candidates.composite && !outcomes.some((o) => o.set[0] === candidates.composite);
    if (helped.length > 0 || compositeDuplicate) {
      // Shorter prefixes, shortest first; stop at the first that reaches 90% of the best so far.
      const bestSoFar = Math.max(0, ...helped.map((o) => o.saving ?? 0));
      for (const prefix of candidates.prefixes) {
        const outcome = await evaluate([prefix]);
        if (outcome?.used && (outcome.saving ?? 0) >= bestSoFar * (options.nearBest ?? 0.9) && (outcome.saving ?? 0) >= options.minCostReduction) break;
      }
    }
    // INCLUDE pays when the index-only scan saves the heap visits: try it on the best verified btree of this table.
    const bestHere = helped.filter((o) => o.set.length === 1 && o.set[0].method === 'btree').sort((a, b) => (b.saving ?? 0) - (a.saving ?? 0))[0];
    if (bestHere && (bestHere.saving ?? 0) < 0.99) {
      const covering = coveringVariant(bestHere.set[0], uses);
      if (covering) await evaluate([covering]);
    }
  }

  // A join may need an index on each side (the outer side's filter and the inner side's join column): one more plan
  // with the best of the two most helpful tables together. It is kept only when it beats both by the usual rule.
  // Each table is represented by its cheapest set within 90% of its own best.
  const perTable = new Map<string, Evaluated[]>();
  for (const e of result.evaluated) {
    if (!e.used || e.saving === undefined || e.saving <= 0 || e.set.length !== 1) continue;
    const table = `${e.set[0].schema}.${e.set[0].table}`;
    perTable.set(table, [...(perTable.get(table) ?? []), e]);
  }
  const representatives = [...perTable.values()].map((list) => {
    const tableBest = Math.max(...list.map((e) => e.saving!));
    return { saving: tableBest, pick: list.filter((e) => e.saving! >= tableBest * (options.nearBest ?? 0.9)).sort(cheaperFirst)[0] };
  });
  const top = representatives.sort((a, b) => b.saving - a.saving).slice(0, 2);
  if (top.length === 2 && top[0].saving < 0.99) await evaluate([...top[0].pick.set, ...top[1].pick.set]);

  const { best, chosen } = pickCheapest(result.evaluated, options.minCostReduction, options.nearBest);
  result.best = best;
  result.chosen = chosen;
  if (!chosen) {
    // Nothing verified reaches the bar: the likely fix that could not be planned here (GIN under hypopg, or no
    // what-if method at all) is still worth saying, marked not verified.
    result.unverified = result.evaluated.find((e) => !e.verified);
  }
  return result;
}
