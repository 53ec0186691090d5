import type { Rule } from '../rule';
import { addingColumnWithVolatileDefault } from './adding-column-with-volatile-default';
import { addingNotNullColumnWithoutDefault } from './adding-not-null-column-without-default';
import { addingUniqueWithoutIndex } from './adding-unique-without-index';
import { changingColumnType } from './changing-column-type';
import { concurrentlyInTransaction } from './concurrently-in-transaction';
import { constraintMissingNotValid } from './constraint-missing-not-valid';
import { detachPartitionWithoutConcurrently } from './detach-partition-without-concurrently';
import { droppingColumn } from './dropping-column';
import { droppingTable } from './dropping-table';
import { lockTable } from './lock-table';
import { missingLockTimeout } from './missing-lock-timeout';
import { refreshMaterializedViewWithoutConcurrently } from './refresh-materialized-view-without-concurrently';
import { reindexWithoutConcurrently } from './reindex-without-concurrently';
import { renamingColumnOrTable } from './renaming-column-or-table';
import { requireConcurrentIndexCreation } from './require-concurrent-index-creation';
import { requireConcurrentIndexDeletion } from './require-concurrent-index-deletion';
import { settingNotNull } from './setting-not-null';
import { settingTablespace } from './setting-tablespace';
import { truncate } from './truncate';
import { updateOrDeleteWithoutWhere } from './update-or-delete-without-where';
import { validatingConstraintInSameTransaction } from './validating-constraint-in-same-transaction';
import { vacuumFullOrCluster } from './vacuum-full-or-cluster';

/** Lock and migration-safety rules (issue 5; the last six from issue 12), one file each; docs in docs/rules/<id>.md, tests in test/rules/<id>.test.ts. */
export const lockingRules: Rule[] = [
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  concurrentlyInTransaction,
  addingColumnWithVolatileDefault,
  changingColumnType,
  settingNotNull,
  constraintMissingNotValid,
  addingUniqueWithoutIndex,
  renamingColumnOrTable,
  droppingColumn,
  vacuumFullOrCluster,
  refreshMaterializedViewWithoutConcurrently,
  lockTable,
  truncate,
  missingLockTimeout,
  updateOrDeleteWithoutWhere,
  reindexWithoutConcurrently,
  droppingTable,
  addingNotNullColumnWithoutDefault,
  detachPartitionWithoutConcurrently,
  settingTablespace,
  validatingConstraintInSameTransaction,
];
