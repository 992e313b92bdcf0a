// JoinGroup v5, SyncGroup v3, Heartbeat v3 and LeaveGroup v3 over the group coordinator.
import { Writer } from '../protocol/writer.ts';
import type { Handler } from './context.ts';

export const joinGroup: Handler = async (r, ctx) => {
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = r.int32();
  const memberId = r.string();
  const groupInstanceId = r.nullableString();
  const protocolType = r.string();
  const protocols = r.array((x) => ({ name: x.string(), metadata: x.bytes() }));
  const res =
    ctx.injectedError !== null
      ? { error: ctx.injectedError, generationId: -1, protocolName: '', leader: '', memberId, members: [] }
      : await ctx.state.groups.join({
          groupId,
          sessionTimeoutMs,
          rebalanceTimeoutMs,
          memberId,
          groupInstanceId,
          protocolType,
          protocols,
          clientId: ctx.clientId,
          clientHost: ctx.clientHost,
        });
  return new Writer()
    .int32(0)
    .int16(res.error)
    .int32(res.generationId)
    .string(res.protocolName)
    .string(res.leader)
    .string(res.memberId)
    .array(res.members, (w, m) => {
      w.string(m.memberId).string(m.groupInstanceId).bytes(m.metadata);
    });
};

export const syncGroup: Handler = async (r, ctx) => {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  r.nullableString(); // group instance id: static membership is not modelled
  const assignments = new Map(r.array((x) => [x.string(), x.bytes()] as const));
  const res =
    ctx.injectedError !== null
      ? { error: ctx.injectedError, assignment: Buffer.alloc(0) }
      : await ctx.state.groups.sync(groupId, generationId, memberId, assignments);
  return new Writer().int32(0).int16(res.error).bytes(res.assignment);
};

export const heartbeat: Handler = (r, ctx) => {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  r.nullableString();
  const error = ctx.injectedError ?? ctx.state.groups.heartbeat(groupId, generationId, memberId);
  return new Writer().int32(0).int16(error);
};

export const leaveGroup: Handler = (r, ctx) => {
  const groupId = r.string();
  const members = r.array((x) => ({ memberId: x.string(), groupInstanceId: x.nullableString() }));
  if (ctx.injectedError !== null) return new Writer().int32(0).int16(ctx.injectedError).array([], () => undefined);
  const errors = ctx.state.groups.leave(
    groupId,
    members.map((m) => m.memberId),
  );
  return new Writer()
    .int32(0)
    .int16(0)
    .array(members, (w, m) => {
      w.string(m.memberId).string(m.groupInstanceId).int16(errors.shift() ?? 0);
    });
};
