// Dispatch table from API key to handler.
import { ApiKey } from '../protocol/api-keys.ts';
import type { Handler } from './context.ts';
import { apiVersions } from './api-versions.ts';
import { metadata } from './metadata.ts';
import { createPartitions, createTopics, deleteTopics } from './admin-topics.ts';
import { produce } from './produce.ts';
import { fetch } from './fetch.ts';
import { listOffsets } from './list-offsets.ts';
import { findCoordinator } from './find-coordinator.ts';
import { heartbeat, joinGroup, leaveGroup, syncGroup } from './group-membership.ts';
import { offsetCommit, offsetFetch } from './group-offsets.ts';
import { deleteGroups, describeGroups, listGroups } from './group-admin.ts';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, initProducerId, txnOffsetCommit } from './txn.ts';

export const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [ApiKey.ApiVersions, apiVersions],
  [ApiKey.Metadata, metadata],
  [ApiKey.CreateTopics, createTopics],
  [ApiKey.DeleteTopics, deleteTopics],
  [ApiKey.CreatePartitions, createPartitions],
  [ApiKey.DeleteGroups, deleteGroups],
  [ApiKey.Produce, produce],
  [ApiKey.Fetch, fetch],
  [ApiKey.ListOffsets, listOffsets],
  [ApiKey.FindCoordinator, findCoordinator],
  [ApiKey.JoinGroup, joinGroup],
  [ApiKey.SyncGroup, syncGroup],
  [ApiKey.Heartbeat, heartbeat],
  [ApiKey.LeaveGroup, leaveGroup],
  [ApiKey.OffsetCommit, offsetCommit],
  [ApiKey.OffsetFetch, offsetFetch],
  [ApiKey.DescribeGroups, describeGroups],
  [ApiKey.ListGroups, listGroups],
  [ApiKey.InitProducerId, initProducerId],
  [ApiKey.AddPartitionsToTxn, addPartitionsToTxn],
  [ApiKey.AddOffsetsToTxn, addOffsetsToTxn],
  [ApiKey.EndTxn, endTxn],
  [ApiKey.TxnOffsetCommit, txnOffsetCommit],
]);
