/**
 * A minimal ONNX model reader: decodes a ModelProto's graph (nodes with their attributes, initializers,
 * inputs and outputs) from protobuf bytes, enough to read a network's architecture. Field numbers follow
 * onnx.proto3 (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto); the counterpart writer is
 * engines/ort/onnx-proto.ts. Tensor data are kept as raw bytes (not copied); only int64 tensors (shapes,
 * axes) are decoded, on demand, by {@link tensorInts}.
 */
import { readFileSync } from 'node:fs';
import { MiaError } from '../../errors.js';

/** An attribute value: int, float, string, ints, floats, or a tensor. */
export type OnnxAttr = number | string | number[] | OnnxTensorProto;

export interface OnnxNodeProto {
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, OnnxAttr>;
}

export interface OnnxTensorProto {
  kind: 'tensor';
  name: string;
  dims: number[];
  /** ONNX TensorProto.DataType: 1 float, 6 int32, 7 int64, 11 double, … */
  dataType: number;
  /** raw_data bytes, when the tensor stores them there. */
  raw?: Uint8Array;
  /** float_data / int32_data / int64_data / double_data values, when stored in those fields. */
  values: number[];
  /** True when the data live in an external file (TensorProto.data_location = EXTERNAL). */
  external: boolean;
}

export interface OnnxValueInfoProto {
  name: string;
  elemType: number;
  /** Dimensions: a number, or the symbolic name of a dynamic one (or '?' when neither is given). */
  dims: (number | string)[];
}

export interface OnnxModelProto {
  opset: number;
  producer: string;
  nodes: OnnxNodeProto[];
  initializers: Map<string, OnnxTensorProto>;
  inputs: OnnxValueInfoProto[];
  outputs: OnnxValueInfoProto[];
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly where: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  fail(): never {
    throw new MiaError('E_MODEL', 'not a readable ONNX model (protobuf decoding failed)', {
      where: this.where,
      found: `byte ${this.pos} of ${this.buf.length}`,
    });
  }

  /** A varint as a signed 64-bit value (int64 fields, two's complement), as a number. */
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length || shift > 63n) this.fail();
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, result));
  }

  bytes(): Uint8Array {
    const n = this.varint();
    if (n < 0 || this.pos + n > this.buf.length) this.fail();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  float(): number {
    if (this.pos + 4 > this.buf.length) this.fail();
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else this.fail();
    if (this.pos > this.buf.length) this.fail();
  }

  /** Calls `f(field, wire)` for each field of the message; `f` returns false to skip the field. */
  fields(f: (field: number, wire: number) => boolean): void {
    while (!this.done) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (!f(field, wire)) this.skip(wire);
    }
  }

  sub(): Reader {
    return new Reader(this.bytes(), this.where);
  }

  /** A repeated int64 field: packed (wire 2) or one value (wire 0). */
  ints(wire: number, into: number[]): void {
    if (wire === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.varint());
    } else into.push(this.varint());
  }

  /** A repeated float field: packed (wire 2) or one value (wire 5). */
  floats(wire: number, into: number[]): void {
    if (wire === 2) {
      const r = this.sub();
      while (!r.done) into.push(r.float());
    } else into.push(this.float());
  }
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function readTensor(r: Reader): OnnxTensorProto {
  const t: OnnxTensorProto = { kind: 'tensor', name: '', dims: [], dataType: 0, values: [], external: false };
  r.fields((field, wire) => {
    if (field === 1) r.ints(wire, t.dims);
    else if (field === 2) t.dataType = r.varint();
    else if (field === 4) r.floats(wire, t.values);
    else if (field === 5 || field === 7) r.ints(wire, t.values);
    else if (field === 8) t.name = text(r.bytes());
    else if (field === 9) t.raw = r.bytes();
    else if (field === 14) t.external = r.varint() === 1;
    else return false;
    return true;
  });
  return t;
}

function readAttr(r: Reader): [string, OnnxAttr] {
  let name = '';
  let type = 0;
  let i = 0;
  let f = 0;
  let s = '';
  let t: OnnxTensorProto | undefined;
  const ints: number[] = [];
  const floats: number[] = [];
  r.fields((field, wire) => {
    if (field === 1) name = text(r.bytes());
    else if (field === 2) f = r.float();
    else if (field === 3) i = r.varint();
    else if (field === 4) s = text(r.bytes());
    else if (field === 5) t = readTensor(r.sub());
    else if (field === 7) r.floats(wire, floats);
    else if (field === 8) r.ints(wire, ints);
    else if (field === 20) type = r.varint();
    else return false;
    return true;
  });
  // AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS
  const value: OnnxAttr =
    type === 1
      ? f
      : type === 3
        ? s
        : type === 4 && t !== undefined
          ? t
          : type === 6
            ? floats
            : type === 7
              ? ints
              : i;
  return [name, value];
}

function readNode(r: Reader): OnnxNodeProto {
  const n: OnnxNodeProto = { name: '', op: '', domain: '', inputs: [], outputs: [], attrs: new Map() };
  r.fields((field) => {
    if (field === 1) n.inputs.push(text(r.bytes()));
    else if (field === 2) n.outputs.push(text(r.bytes()));
    else if (field === 3) n.name = text(r.bytes());
    else if (field === 4) n.op = text(r.bytes());
    else if (field === 5) {
      const [k, v] = readAttr(r.sub());
      n.attrs.set(k, v);
    } else if (field === 7) n.domain = text(r.bytes());
    else return false;
    return true;
  });
  return n;
}

function readValueInfo(r: Reader): OnnxValueInfoProto {
  const v: OnnxValueInfoProto = { name: '', elemType: 0, dims: [] };
  r.fields((field) => {
    if (field === 1) v.name = text(r.bytes());
    else if (field === 2) {
      // TypeProto.tensor_type (1) → elem_type (1), shape (2) → dim (1) → dim_value (1) | dim_param (2)
      const tp = r.sub();
      tp.fields((tf) => {
        if (tf !== 1) return false;
        const tt = tp.sub();
        tt.fields((ttf) => {
          if (ttf === 1) v.elemType = tt.varint();
          else if (ttf === 2) {
            const shape = tt.sub();
            shape.fields((sf) => {
              if (sf !== 1) return false;
              const dim = shape.sub();
              let d: number | string = '?';
              dim.fields((df) => {
                if (df === 1) d = dim.varint();
                else if (df === 2) d = text(dim.bytes());
                else return false;
                return true;
              });
              v.dims.push(d);
              return true;
            });
          } else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  return v;
}

/** Decodes ModelProto bytes. Throws E_MODEL (naming `where`) when they are not an ONNX model with a graph. */
export function decodeOnnxModel(bytes: Uint8Array, where: string): OnnxModelProto {
  const r = new Reader(bytes, where);
  const m: OnnxModelProto = {
    opset: 0,
    producer: '',
    nodes: [],
    initializers: new Map(),
    inputs: [],
    outputs: [],
  };
  let graph = false;
  r.fields((field) => {
    if (field === 2) m.producer = text(r.bytes());
    else if (field === 8) {
      const o = r.sub();
      let domain = '';
      let version = 0;
      o.fields((f) => {
        if (f === 1) domain = text(o.bytes());
        else if (f === 2) version = o.varint();
        else return false;
        return true;
      });
      if (domain === '' || domain === 'ai.onnx') m.opset = version;
    } else if (field === 7) {
      graph = true;
      const g = r.sub();
      g.fields((gf) => {
        if (gf === 1) m.nodes.push(readNode(g.sub()));
        else if (gf === 5) {
          const t = readTensor(g.sub());
          m.initializers.set(t.name, t);
        } else if (gf === 11) m.inputs.push(readValueInfo(g.sub()));
        else if (gf === 12) m.outputs.push(readValueInfo(g.sub()));
        else return false;
        return true;
      });
    } else return false;
    return true;
  });
  if (!graph || m.nodes.length === 0) {
    throw new MiaError('E_MODEL', 'not an ONNX model: no graph with nodes', { where });
  }
  return m;
}

/** Reads and decodes the ONNX file at `path` (E_IO when it cannot be read, E_MODEL as decodeOnnxModel). */
export function readOnnxFile(path: string): OnnxModelProto {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new MiaError('E_IO', `cannot read the ONNX file: ${(e as NodeJS.ErrnoException).code ?? e}`, {
      where: path,
    });
  }
  return decodeOnnxModel(bytes, path);
}

/** The values of an int64 / int32 tensor (shapes, axes), as numbers. */
export function tensorInts(t: OnnxTensorProto): number[] {
  if (t.raw === undefined) return [...t.values];
  const raw = t.raw;
  if (t.dataType === 7) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.byteLength / 4 }, (_, i) => view.getInt32(4 * i, true));
}
