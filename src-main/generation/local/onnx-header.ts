// Reads a model.onnx's graph inputs and outputs (names, element types, shapes) without
// loading its weights: a small protobuf walker that seeks past everything else (the
// initializers of a single-file model can be gigabytes; only tags and lengths are read).
//
// ModelProto.graph = 7; GraphProto.input = 11, output = 12; ValueInfoProto.name = 1,
// type = 2; TypeProto.tensor_type = 1; Tensor.elem_type = 1, shape = 2;
// TensorShapeProto.dim = 1; Dimension.dim_value = 1, dim_param = 2.
import fs from 'node:fs';

export interface IoInfo {
  name: string;
  /** onnxruntime's type names: float32, float16, int64, int32, bfloat16, … ('unknown' otherwise). */
  type: string;
  /** Numbers for fixed sizes, strings for symbolic ones; [] when the shape is unknown. */
  shape: (number | string)[];
}

export interface GraphIo {
  inputs: IoInfo[];
  outputs: IoInfo[];
}

const ELEM_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

class Reader {
  private buf = Buffer.alloc(64);
  constructor(
    private readonly fd: number,
    public pos: number,
  ) {}
  byte(): number {
    if (fs.readSync(this.fd, this.buf, 0, 1, this.pos) !== 1) throw new Error('unexpected end of file');
    this.pos++;
    return this.buf[0]!;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('malformed varint');
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    if (n > 0 && fs.readSync(this.fd, out, 0, n, this.pos) !== n) throw new Error('unexpected end of file');
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const len = this.varint(); // read first: `this.pos += this.varint()` would add to the old position
      this.pos += len;
    }
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

/** Iterates the fields of an in-memory message. */
function* fields(buf: Buffer): Generator<{ field: number; wire: number; value: number | Buffer }> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated message');
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('malformed varint');
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) yield { field, wire, value: varint() };
    else if (wire === 2) {
      const len = varint();
      yield { field, wire, value: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function parseValueInfo(buf: Buffer): IoInfo {
  let name = '';
  let type = 'unknown';
  const shape: (number | string)[] = [];
  for (const f of fields(buf)) {
    if (f.field === 1 && Buffer.isBuffer(f.value)) name = f.value.toString('utf8');
    if (f.field === 2 && Buffer.isBuffer(f.value)) {
      for (const t of fields(f.value)) {
        if (t.field !== 1 || !Buffer.isBuffer(t.value)) continue; // tensor_type only
        for (const tt of fields(t.value)) {
          if (tt.field === 1 && typeof tt.value === 'number') type = ELEM_TYPES[tt.value] ?? 'unknown';
          if (tt.field === 2 && Buffer.isBuffer(tt.value)) {
            for (const d of fields(tt.value)) {
              if (d.field !== 1 || !Buffer.isBuffer(d.value)) continue;
              let dim: number | string = '?';
              for (const dv of fields(d.value)) {
                if (dv.field === 1 && typeof dv.value === 'number') dim = dv.value;
                if (dv.field === 2 && Buffer.isBuffer(dv.value)) dim = dv.value.toString('utf8');
              }
              shape.push(dim);
            }
          }
        }
      }
    }
  }
  return { name, type, shape };
}

/** The graph inputs (without initializers listed as inputs) and outputs of an .onnx file. */
export function readGraphIo(file: string): GraphIo {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const r = new Reader(fd, 0);
    while (r.pos < size) {
      const tag = r.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (field === 7 && wire === 2) return readGraph(r, r.varint());
      r.skip(wire);
    }
    throw new Error('no graph in the file');
  } catch (err) {
    throw new Error(`${file} is not a readable ONNX model: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    fs.closeSync(fd);
  }
}

function readGraph(r: Reader, len: number): GraphIo {
  const end = r.pos + len;
  const inputs: IoInfo[] = [];
  const outputs: IoInfo[] = [];
  const initializers = new Set<string>();
  while (r.pos < end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if ((field === 11 || field === 12) && wire === 2) {
      const info = parseValueInfo(r.bytes(r.varint()));
      (field === 11 ? inputs : outputs).push(info);
    } else if (field === 5 && wire === 2) {
      // TensorProto.name = 8: read the initializer's name only, skip its data.
      const n = r.varint();
      const stop = r.pos + n;
      while (r.pos < stop) {
        const t = r.varint();
        if (Math.floor(t / 8) === 8 && (t & 7) === 2) initializers.add(r.bytes(r.varint()).toString('utf8'));
        else r.skip(t & 7);
      }
      r.pos = stop;
    } else r.skip(wire);
  }
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
}
