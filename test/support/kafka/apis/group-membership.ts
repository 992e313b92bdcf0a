// JoinGroup 1-7, SyncGroup 1-5, Heartbeat 1-4 and LeaveGroup 1-4 over the group coordinator.
import { ErrorCode } from '../protocol/errors.ts';
import {
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../protocol/messages/groups.ts';
import { defineApi } from './context.ts';

export const joinGroup = defineApi('JoinGroup', JoinGroupRequest, JoinGroupResponse, async (req, ctx) => {
  const res =
    ctx.injectedError !== null
      ? { error: ctx.injectedError, generationId: -1, protocolName: '', leader: '', memberId: req.memberId, members: [] }
      : await ctx.state.groups.join({
          groupId: req.groupId,
          sessionTimeoutMs: req.sessionTimeoutMs,
          // JoinGroup v0 had no rebalance timeout; Kafka then uses the session timeout.
          rebalanceTimeoutMs: req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          protocolType: req.protocolType,
          protocols: req.protocols,
          clientId: ctx.clientId,
          clientHost: ctx.clientHost,
          requireKnownMemberId: ctx.apiVersion >= 4,
        });
  const ok = res.error === ErrorCode.NONE;
  return {
    throttleTimeMs: 0,
    errorCode: res.error,
    generationId: res.generationId,
    protocolType: ok ? req.protocolType : null,
    protocolName: ok || ctx.apiVersion < 7 ? res.protocolName : null,
    leader: res.leader,
    memberId: res.memberId,
    members: res.members,
  };
});

export const syncGroup = defineApi('SyncGroup', SyncGroupRequest, SyncGroupResponse, async (req, ctx) => {
  const group = ctx.state.groups.groups.get(req.groupId);
  // SyncGroup v5 names the protocol type and name; they must be the group's.
  const mismatch =
    group !== undefined &&
    ((req.protocolType !== null && req.protocolType !== group.protocolType) || (req.protocolName !== null && group.protocolName !== null && req.protocolName !== group.protocolName));
  const res =
    ctx.injectedError !== null
      ? { error: ctx.injectedError, assignment: Buffer.alloc(0) }
      : mismatch
        ? { error: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, assignment: Buffer.alloc(0) }
        : await ctx.state.groups.sync(req.groupId, req.generationId, req.memberId, new Map(req.assignments.map((a) => [a.memberId, a.assignment])));
  const ok = res.error === ErrorCode.NONE;
  return {
    throttleTimeMs: 0,
    errorCode: res.error,
    protocolType: ok ? (group?.protocolType ?? null) : null,
    protocolName: ok ? (group?.protocolName ?? null) : null,
    assignment: res.assignment,
  };
});

export const heartbeat = defineApi('Heartbeat', HeartbeatRequest, HeartbeatResponse, (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: ctx.injectedError ?? ctx.state.groups.heartbeat(req.groupId, req.generationId, req.memberId),
}));

/** v1-2 name one member; v3+ a batch, each answered with its own error. */
export const leaveGroup = defineApi('LeaveGroup', LeaveGroupRequest, LeaveGroupResponse, (req, ctx) => {
  if (ctx.injectedError !== null) return { throttleTimeMs: 0, errorCode: ctx.injectedError, members: [] };
  if (ctx.apiVersion < 3) {
    const [error] = ctx.state.groups.leave(req.groupId, [req.memberId]);
    return { throttleTimeMs: 0, errorCode: error ?? ErrorCode.NONE, members: [] };
  }
  const errors = ctx.state.groups.leave(
    req.groupId,
    req.members.map((m) => m.memberId),
  );
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    members: req.members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: errors[i] ?? ErrorCode.NONE })),
  };
});
