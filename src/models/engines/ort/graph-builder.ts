/**
 * Writes ONNX nodes one op at a time for the graphs of forward-graph.ts, backward-graph.ts and
 * train-graph.ts: fresh value names, constants as initialisers (one per distinct value), renaming a value
 * to a graph output name.
 */
import type { OnnxNode, OnnxTensor, OnnxValueInfo } from './onnx-proto.js';

export class Builder {
  nodes: OnnxNode[] = [];
  initializers: OnnxTensor[] = [];
  private n = 0;
  private consts = new Map<string, string>();

  tmp(prefix: string): string {
    return `${prefix}_${this.n++}`;
  }

  op(op: string, inputs: string[], attrs?: OnnxNode['attrs'], outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, () => this.tmp(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs: outs, ...(attrs !== undefined ? { attrs } : {}) });
    return outs;
  }

  /** Renames the value `from` (an output of an earlier node) to `to`, in producers and consumers. */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.outputs = n.outputs.map((o) => (o === from ? to : o));
      n.inputs = n.inputs.map((o) => (o === from ? to : o));
    }
  }

  one(op: string, inputs: string[], attrs?: OnnxNode['attrs']): string {
    return this.op(op, inputs, attrs)[0]!;
  }

  scalar(v: number): string {
    const key = `f${v}`;
    let name = this.consts.get(key);
    if (name === undefined) {
      name = this.tmp('c');
      this.initializers.push({ name, dims: [], data: new Float32Array([v]) });
      this.consts.set(key, name);
    }
    return name;
  }

  floats(v: number[]): string {
    const key = `F${v.join(',')}`;
    let name = this.consts.get(key);
    if (name === undefined) {
      name = this.tmp('c');
      this.initializers.push({ name, dims: [v.length], data: new Float32Array(v) });
      this.consts.set(key, name);
    }
    return name;
  }

  ints(v: number[]): string {
    const key = `i${v.join(',')}`;
    let name = this.consts.get(key);
    if (name === undefined) {
      name = this.tmp('s');
      this.initializers.push({ name, dims: [v.length], data: v, int64: true });
      this.consts.set(key, name);
    }
    return name;
  }
}

/** A graph input or output: `name` of element type `type` and shape `dims` (strings: symbolic). */
export function valueInfo(
  name: string,
  dims: (number | string)[],
  type: 'float32' | 'int64' = 'float32',
): OnnxValueInfo {
  return { name, type, dims };
}
