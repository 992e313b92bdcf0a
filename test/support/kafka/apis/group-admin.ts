// DescribeGroups 0-5, ListGroups 0-4 (state filter from v4) and DeleteGroups 0-2.
import { ErrorCode } from '../protocol/errors.ts';
import {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ListGroupsRequest,
  ListGroupsResponse,
} from '../protocol/messages/groups.ts';
import { defineApi } from './context.ts';

/** Kafka reports "not requested" authorized operations as Integer.MIN_VALUE. */
const NOT_REQUESTED = -2147483648;
/** READ, DELETE, DESCRIBE: all allowed without an authorizer. */
const ALL_GROUP_OPERATIONS = [3, 6, 8].reduce((m, op) => m | (1 << op), 0);

export const describeGroups = defineApi('DescribeGroups', DescribeGroupsRequest, DescribeGroupsResponse, (req, { state }) => ({
  throttleTimeMs: 0,
  groups: req.groups.map((id) => {
    const ops = req.includeAuthorizedOperations ? ALL_GROUP_OPERATIONS : NOT_REQUESTED;
    const g = state.groups.groups.get(id);
    // Kafka describes an unknown group as Dead without an error.
    if (g === undefined) return { errorCode: ErrorCode.NONE, groupId: id, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: ops };
    const stable = g.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId: id,
      groupState: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      // Member metadata and assignments are only meaningful once the group is Stable.
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? (m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? Buffer.alloc(0)) : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0),
      })),
      authorizedOperations: ops,
    };
  }),
}));

export const listGroups = defineApi('ListGroups', ListGroupsRequest, ListGroupsResponse, (req, { state }) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.NONE,
  groups: [...state.groups.groups.values()]
    .filter((g) => req.statesFilter.length === 0 || req.statesFilter.some((s) => s.toLowerCase() === g.state.toLowerCase()))
    .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state })),
}));

/** Only groups without members can be deleted; their committed offsets go with them. */
export const deleteGroups = defineApi('DeleteGroups', DeleteGroupsRequest, DeleteGroupsResponse, (req, { state }) => ({
  throttleTimeMs: 0,
  results: req.groupsNames.map((id) => {
    const g = state.groups.groups.get(id);
    let errorCode: number = ErrorCode.NONE;
    if (id === '') errorCode = ErrorCode.INVALID_GROUP_ID;
    else if (g === undefined) errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
    else if (g.state !== 'Empty') errorCode = ErrorCode.NON_EMPTY_GROUP;
    else state.groups.groups.delete(id);
    return { groupId: id, errorCode };
  }),
}));
