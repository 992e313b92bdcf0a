// Dispatch table from API key to handler.
import { ApiKey } from '../protocol/api-keys.ts';
import type { Api } from './context.ts';
import { apiVersions } from './api-versions.ts';
import { metadata } from './metadata.ts';
import { describeConfigs } from './describe-configs.ts';
import { createPartitions, createTopics, deleteTopics } from './admin-topics.ts';
import { produce } from './produce.ts';
import { fetch } from './fetch.ts';
import { listOffsets } from './list-offsets.ts';
import { findCoordinator } from './find-coordinator.ts';
import { heartbeat, joinGroup, leaveGroup, syncGroup } from './group-membership.ts';
import { offsetCommit, offsetFetch } from './group-offsets.ts';
import { deleteGroups, describeGroups, listGroups } from './group-admin.ts';
import { saslAuthenticate, saslHandshake } from './sasl.ts';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, initProducerId, txnOffsetCommit } from './txn.ts';

const ALL: readonly Api[] = [
  apiVersions,
  metadata,
  describeConfigs,
  createTopics,
  deleteTopics,
  createPartitions,
  deleteGroups,
  produce,
  fetch,
  listOffsets,
  findCoordinator,
  joinGroup,
  syncGroup,
  heartbeat,
  leaveGroup,
  offsetCommit,
  offsetFetch,
  describeGroups,
  listGroups,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  txnOffsetCommit,
  saslHandshake,
  saslAuthenticate,
];

export const HANDLERS: ReadonlyMap<number, Api> = new Map(ALL.map((api) => [ApiKey[api.name], api]));
