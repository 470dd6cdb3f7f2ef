/**
 * Row indices of a dataset split given as a file (`mia infer --members rows.npy`): which rows are
 * members and which non-members, checked against the split and against each other.
 */
import { MiaError } from '../errors.js';
import { readNpy } from '../io/npy.js';
import { toInt32 } from '../io/npy-cast.js';

/**
 * Reads an index file (.npy of integers): every index in [0, n) and none twice (a repeated row would
 * count one sample twice). Throws E_SHAPE_MISMATCH for an index outside, E_CONFIG for a repeated one,
 * E_EMPTY for no indices, naming `path`; `split` names the split in the messages ("train", "test").
 */
export function readRowIndices(path: string, n: number, split: string): Int32Array {
  const idx = toInt32(readNpy(path), path);
  const firstAt = new Map<number, number>();
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= n) {
      throw new MiaError(
        'E_SHAPE_MISMATCH',
        `index ${v} at position ${i} is outside the ${split} split's [0, ${n})`,
        { where: path },
      );
    }
    const seen = firstAt.get(v);
    if (seen !== undefined) {
      throw new MiaError(
        'E_VALUE',
        `${split} row ${v} is listed twice (positions ${seen} and ${i}); each row may appear once`,
        { where: path },
      );
    }
    firstAt.set(v, i);
  }
  if (idx.length === 0) throw new MiaError('E_EMPTY', 'no indices', { where: path });
  return idx;
}

/**
 * Members and non-members drawn from the same split must be disjoint: throws E_CONFIG naming both sources
 * (`membersFrom`, `nonMembersFrom`) and the first row (in the non-member order) that is in both, with
 * `context` as the error's where / expected.
 */
export function checkDisjointRows(
  members: Int32Array,
  membersFrom: string,
  nonMembers: Int32Array,
  nonMembersFrom: string,
  context: { where: string; expected: string },
): void {
  const memberAt = new Map<number, number>();
  for (let i = 0; i < members.length; i++) if (!memberAt.has(members[i]!)) memberAt.set(members[i]!, i);
  for (let j = 0; j < nonMembers.length; j++) {
    const at = memberAt.get(nonMembers[j]!);
    if (at !== undefined) {
      throw new MiaError(
        'E_VALUE',
        `train row ${nonMembers[j]} is both a member (${membersFrom}, position ${at}) and a non-member ` +
          `(${nonMembersFrom}, position ${j}); a sample cannot be both`,
        context,
      );
    }
  }
}

/**
 * The default non-members for `members`: from another split ('test'), its first rows, as many as there
 * are members (or all `poolN`); from the members' own split ('train'), the first rows that are not
 * members, as many as there are members (or as many as there are).
 */
export function defaultNonMembers(members: Int32Array, poolN: number, from: 'test' | 'train'): Int32Array {
  if (from === 'test') return Int32Array.from({ length: Math.min(members.length, poolN) }, (_, i) => i);
  const isMember = new Uint8Array(poolN);
  for (const i of members) isMember[i] = 1;
  const rest: number[] = [];
  for (let i = 0; i < poolN && rest.length < members.length; i++) if (isMember[i] === 0) rest.push(i);
  return Int32Array.from(rest);
}
