// Group coordinator request/response layouts: FindCoordinator, JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup, DescribeGroups, ListGroups, DeleteGroups, OffsetCommit and
// OffsetFetch (Kafka's message definitions, within the served range).
import { f, struct, t } from '../schema.ts';

export const FindCoordinatorRequest = struct({
  key: f.string('0-3'),
  keyType: f.int8('1+'),
  coordinatorKeys: f.array('4+', t.string),
});

export const FindCoordinatorResponse = struct({
  throttleTimeMs: f.int32('1+'),
  errorCode: f.int16('0-3'),
  errorMessage: f.nullableString('1-3'),
  nodeId: f.int32('0-3'),
  host: f.string('0-3'),
  port: f.int32('0-3'),
  coordinators: f.array(
    '4+',
    struct({
      key: f.string('4+'),
      nodeId: f.int32('4+'),
      host: f.string('4+'),
      port: f.int32('4+'),
      errorCode: f.int16('4+'),
      errorMessage: f.nullableString('4+'),
    }),
  ),
});

export const JoinGroupRequest = struct({
  groupId: f.string('0+'),
  sessionTimeoutMs: f.int32('0+'),
  rebalanceTimeoutMs: f.int32('1+', -1),
  memberId: f.string('0+'),
  groupInstanceId: f.nullableString('5+'),
  protocolType: f.string('0+'),
  protocols: f.array('0+', struct({ name: f.string('0+'), metadata: f.bytes('0+') })),
});

export const JoinGroupResponse = struct({
  throttleTimeMs: f.int32('2+'),
  errorCode: f.int16('0+'),
  generationId: f.int32('0+'),
  protocolType: f.nullableString('7+'),
  protocolName: f.nullableString('0+', '7+'),
  leader: f.string('0+'),
  memberId: f.string('0+'),
  members: f.array('0+', struct({ memberId: f.string('0+'), groupInstanceId: f.nullableString('5+'), metadata: f.bytes('0+') })),
});

export const SyncGroupRequest = struct({
  groupId: f.string('0+'),
  generationId: f.int32('0+'),
  memberId: f.string('0+'),
  groupInstanceId: f.nullableString('3+'),
  protocolType: f.nullableString('5+'),
  protocolName: f.nullableString('5+'),
  assignments: f.array('0+', struct({ memberId: f.string('0+'), assignment: f.bytes('0+') })),
});

export const SyncGroupResponse = struct({
  throttleTimeMs: f.int32('1+'),
  errorCode: f.int16('0+'),
  protocolType: f.nullableString('5+'),
  protocolName: f.nullableString('5+'),
  assignment: f.bytes('0+'),
});

export const HeartbeatRequest = struct({
  groupId: f.string('0+'),
  generationId: f.int32('0+'),
  memberId: f.string('0+'),
  groupInstanceId: f.nullableString('3+'),
});

export const HeartbeatResponse = struct({ throttleTimeMs: f.int32('1+'), errorCode: f.int16('0+') });

export const LeaveGroupRequest = struct({
  groupId: f.string('0+'),
  memberId: f.string('0-2'),
  members: f.array('3+', struct({ memberId: f.string('3+'), groupInstanceId: f.nullableString('3+') })),
});

export const LeaveGroupResponse = struct({
  throttleTimeMs: f.int32('1+'),
  errorCode: f.int16('0+'),
  members: f.array('3+', struct({ memberId: f.string('3+'), groupInstanceId: f.nullableString('3+'), errorCode: f.int16('3+') })),
});

export const DescribeGroupsRequest = struct({
  groups: f.array('0+', t.string),
  includeAuthorizedOperations: f.bool('3+'),
});

export const DescribeGroupsResponse = struct({
  throttleTimeMs: f.int32('1+'),
  groups: f.array(
    '0+',
    struct({
      errorCode: f.int16('0+'),
      groupId: f.string('0+'),
      groupState: f.string('0+'),
      protocolType: f.string('0+'),
      protocolData: f.string('0+'),
      members: f.array(
        '0+',
        struct({
          memberId: f.string('0+'),
          groupInstanceId: f.nullableString('4+'),
          clientId: f.string('0+'),
          clientHost: f.string('0+'),
          memberMetadata: f.bytes('0+'),
          memberAssignment: f.bytes('0+'),
        }),
      ),
      authorizedOperations: f.int32('3+'),
    }),
  ),
});

export const ListGroupsRequest = struct({ statesFilter: f.array('4+', t.string) });

export const ListGroupsResponse = struct({
  throttleTimeMs: f.int32('1+'),
  errorCode: f.int16('0+'),
  groups: f.array('0+', struct({ groupId: f.string('0+'), protocolType: f.string('0+'), groupState: f.string('4+') })),
});

export const DeleteGroupsRequest = struct({ groupsNames: f.array('0+', t.string) });

export const DeleteGroupsResponse = struct({
  throttleTimeMs: f.int32('0+'),
  results: f.array('0+', struct({ groupId: f.string('0+'), errorCode: f.int16('0+') })),
});

export const OffsetCommitRequest = struct({
  groupId: f.string('0+'),
  generationId: f.int32('1+', -1),
  memberId: f.string('1+'),
  groupInstanceId: f.nullableString('7+'),
  retentionTimeMs: f.int64('2-4', -1),
  topics: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      partitions: f.array(
        '0+',
        struct({
          partitionIndex: f.int32('0+'),
          committedOffset: f.int64('0+'),
          committedLeaderEpoch: f.int32('6+', -1),
          committedMetadata: f.nullableString('0+'),
        }),
      ),
    }),
  ),
});

const PartitionErrors = f.array(
  '0+',
  struct({ name: f.string('0+'), partitions: f.array('0+', struct({ partitionIndex: f.int32('0+'), errorCode: f.int16('0+') })) }),
);

export const OffsetCommitResponse = struct({ throttleTimeMs: f.int32('3+'), topics: PartitionErrors });

export const OffsetFetchRequest = struct({
  groupId: f.string('0-7'),
  topics: f.nullableArray('0-7', struct({ name: f.string('0-7'), partitionIndexes: f.array('0-7', t.int32) }), '2-7'),
  groups: f.array(
    '8+',
    struct({
      groupId: f.string('8+'),
      topics: f.nullableArray('8+', struct({ name: f.string('8+'), partitionIndexes: f.array('8+', t.int32) })),
    }),
  ),
  requireStable: f.bool('7+'),
});

const fetchedPartition = (v: '0-7' | '8+') =>
  struct({
    partitionIndex: f.int32(v),
    committedOffset: f.int64(v),
    committedLeaderEpoch: f.int32(v === '8+' ? '8+' : '5-7'),
    metadata: f.nullableString(v),
    errorCode: f.int16(v),
  });

export const OffsetFetchResponse = struct({
  throttleTimeMs: f.int32('3+'),
  topics: f.array('0-7', struct({ name: f.string('0-7'), partitions: f.array('0-7', fetchedPartition('0-7')) })),
  errorCode: f.int16('2-7'),
  groups: f.array(
    '8+',
    struct({
      groupId: f.string('8+'),
      topics: f.array('8+', struct({ name: f.string('8+'), partitions: f.array('8+', fetchedPartition('8+')) })),
      errorCode: f.int16('8+'),
    }),
  ),
});
