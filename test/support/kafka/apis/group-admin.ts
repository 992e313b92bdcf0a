// DescribeGroups v2, ListGroups v2 and DeleteGroups v1.
import { Writer } from '../protocol/writer.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Handler } from './context.ts';

export const describeGroups: Handler = (r, { state }) => {
  const ids = r.array((x) => x.string());
  return new Writer().int32(0).array(ids, (w, id) => {
    const g = state.groups.groups.get(id);
    if (g === undefined) {
      // Kafka describes an unknown group as Dead without an error.
      w.int16(ErrorCode.NONE).string(id).string('Dead').string('').string('').array([], () => undefined);
      return;
    }
    const stable = g.state === 'Stable';
    w.int16(ErrorCode.NONE)
      .string(id)
      .string(g.state)
      .string(g.protocolType ?? '')
      .string(stable ? (g.protocolName ?? '') : '');
    // Member metadata and assignments are only meaningful once the group is Stable.
    w.array([...g.members.values()], (mw, m) => {
      const metadata = stable ? (m.protocols.find((p) => p.name === g.protocolName)?.metadata ?? Buffer.alloc(0)) : Buffer.alloc(0);
      mw.string(m.memberId)
        .string(m.clientId)
        .string(m.clientHost)
        .bytes(metadata)
        .bytes(stable ? m.assignment : Buffer.alloc(0));
    });
  });
};

export const listGroups: Handler = (_r, { state }) =>
  new Writer()
    .int32(0)
    .int16(ErrorCode.NONE)
    .array([...state.groups.groups.values()], (w, g) => {
      w.string(g.groupId).string(g.protocolType ?? '');
    });

/** Only groups without members can be deleted; their committed offsets go with them. */
export const deleteGroups: Handler = (r, { state }) => {
  const ids = r.array((x) => x.string());
  return new Writer().int32(0).array(ids, (w, id) => {
    const g = state.groups.groups.get(id);
    let error: number = ErrorCode.NONE;
    if (id === '') error = ErrorCode.INVALID_GROUP_ID;
    else if (g === undefined) error = ErrorCode.GROUP_ID_NOT_FOUND;
    else if (g.state !== 'Empty') error = ErrorCode.NON_EMPTY_GROUP;
    else state.groups.groups.delete(id);
    w.string(id).int16(error);
  });
};
