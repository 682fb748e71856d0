"""TFRecord + tf.train.Example interop with the real Python stack: TensorBoard's record writer and reader,
Python's gzip and zlib for the compressed streams, and the protobuf runtime for the Examples.

TensorBoard 2.21 no longer ships example_pb2, so tf.train.Example is declared here to the protobuf runtime
(package tensorflow, TensorFlow's field numbers from tensorflow/core/example/{feature,example}.proto),
independently of tapeflow's io/proto/, and pinned by FORMATS.md's test vector before it is used.

usage: check_tfrecord.py INTEROP_TFRECORD WORKDIR
  1. Python writes py_{none,zlib,gzip}.tfrecord; tapeflow (INTEROP_TFRECORD dump) must read identical features.
  2. tapeflow writes tapeflow_{none,zlib,gzip}.tfrecord; TensorBoard's reader and the protobuf runtime must read them.
The shared examples are defined here and in tfrecord_examples.cpp.
"""
import gzip
import io
import json
import pathlib
import struct
import subprocess
import sys
import zlib

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from tensorboard.compat.tensorflow_stub import errors
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New
from tensorboard.summary.writer.record_writer import RecordWriter

RECORDS = 5


def tf_example_classes():
    """tensorflow.{BytesList,FloatList,Int64List,Feature,Features,Example} as protobuf message classes."""
    F = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="tensorflow/core/example/example.proto", package="tensorflow",
                                              syntax="proto3")

    def field(message, name, number, type_, label=F.LABEL_OPTIONAL, type_name=None, oneof_index=None):
        f = message.field.add(name=name, number=number, type=type_, label=label)
        if type_name:
            f.type_name = type_name
        if oneof_index is not None:
            f.oneof_index = oneof_index
        return f

    for name, type_ in (("BytesList", F.TYPE_BYTES), ("FloatList", F.TYPE_FLOAT), ("Int64List", F.TYPE_INT64)):
        f = field(file.message_type.add(name=name), "value", 1, type_, F.LABEL_REPEATED)
        if type_ != F.TYPE_BYTES:
            f.options.packed = True
    feature = file.message_type.add(name="Feature")
    feature.oneof_decl.add(name="kind")
    for name, number, type_name in (("bytes_list", 1, "BytesList"), ("float_list", 2, "FloatList"),
                                    ("int64_list", 3, "Int64List")):
        field(feature, name, number, F.TYPE_MESSAGE, type_name=".tensorflow." + type_name, oneof_index=0)
    features = file.message_type.add(name="Features")
    entry = features.nested_type.add(name="FeatureEntry")  # map<string, Feature> feature = 1
    entry.options.map_entry = True
    field(entry, "key", 1, F.TYPE_STRING)
    field(entry, "value", 2, F.TYPE_MESSAGE, type_name=".tensorflow.Feature")
    field(features, "feature", 1, F.TYPE_MESSAGE, F.LABEL_REPEATED, ".tensorflow.Features.FeatureEntry")
    field(file.message_type.add(name="Example"), "features", 1, F.TYPE_MESSAGE, type_name=".tensorflow.Features")

    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow." + name))
            for name in ("BytesList", "FloatList", "Int64List", "Feature", "Features", "Example")}


TF = tf_example_classes()
# FORMATS.md section 2: Example{"a": int64_list [1]} is these 14 bytes.
_vector = TF["Example"](features=TF["Features"](feature={"a": TF["Feature"](int64_list=TF["Int64List"](value=[1]))}))
assert _vector.SerializeToString().hex() == "0a0c0a0a0a016112051a030a0101", _vector.SerializeToString().hex()


def shared_example(i):
    image = bytes((37 * i + k) % 256 for k in range(10 * i + 3))
    Feature, BytesList, Int64List, FloatList = TF["Feature"], TF["BytesList"], TF["Int64List"], TF["FloatList"]
    f = {
        "image": Feature(bytes_list=BytesList(value=[image])),
        "label": Feature(int64_list=Int64List(value=[i - 2])),
        "ids": Feature(int64_list=Int64List(value=[-(1 << 62), i, 1 << 62])),
        "scores": Feature(float_list=FloatList(value=[0.25 * i, -1.5, 0.1])),
        "tags": Feature(bytes_list=BytesList(value=[f"tag{j}".encode() for j in range(i)])),
    }
    return TF["Example"](features=TF["Features"](feature=f))


def float_bits(v):
    return struct.unpack("<I", struct.pack("<f", v))[0]


def canonical(example):
    out = {}
    for key, f in example.features.feature.items():
        kind = f.WhichOneof("kind")
        if kind == "bytes_list":
            values = [v.hex() for v in f.bytes_list.value]
        elif kind == "float_list":
            values = [float_bits(v) for v in f.float_list.value]
        elif kind == "int64_list":
            values = list(f.int64_list.value)
        else:
            kind, values = "no list", []
        out[key] = {"kind": kind, "values": values}
    return out


EXPECTED = [canonical(shared_example(i)) for i in range(RECORDS)]


def python_writes(workdir):
    framed = io.BytesIO()
    writer = RecordWriter(framed)
    for i in range(RECORDS):
        writer.write(shared_example(i).SerializeToString())
    stream = framed.getvalue()
    (workdir / "py_none.tfrecord").write_bytes(stream)
    (workdir / "py_zlib.tfrecord").write_bytes(zlib.compress(stream))
    with gzip.open(workdir / "py_gzip.tfrecord", "wb") as f:  # the whole stream in one gzip member, as TF
        gz = RecordWriter(f)
        for i in range(RECORDS):
            gz.write(shared_example(i).SerializeToString())


def tapeflow_reads(tool, workdir):
    for compression in ("none", "zlib", "gzip"):
        out = subprocess.run([tool, "dump", str(workdir / f"py_{compression}.tfrecord"), compression],
                             check=True, capture_output=True, text=True).stdout
        got = [json.loads(line) for line in out.splitlines()]
        assert got == EXPECTED, f"tapeflow read py_{compression}.tfrecord as {got}, expected {EXPECTED}"
        print(f"tapeflow reads Python's {compression} file: {len(got)} identical Examples")


def read_with_tensorboard(path):
    reader = PyRecordReader_New(str(path))
    records = []
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            return records
        records.append(reader.record())


def python_reads(tool, workdir):
    subprocess.run([tool, "write", str(workdir)], check=True)
    for compression, decompress in (("none", None), ("zlib", zlib.decompress), ("gzip", gzip.decompress)):
        path = workdir / f"tapeflow_{compression}.tfrecord"
        if decompress:  # TensorBoard's reader knows no compression: Python's zlib/gzip undo ours
            plain = workdir / f"tapeflow_{compression}.decompressed"
            plain.write_bytes(decompress(path.read_bytes()))
            path = plain
        got = [canonical(TF["Example"].FromString(r)) for r in read_with_tensorboard(path)]
        assert got == EXPECTED, f"Python read tapeflow_{compression}.tfrecord as {got}, expected {EXPECTED}"
        print(f"TensorBoard's reader + protobuf read tapeflow's {compression} file: {len(got)} identical Examples")


def main():
    tool, workdir = sys.argv[1], pathlib.Path(sys.argv[2])
    workdir.mkdir(parents=True, exist_ok=True)
    python_writes(workdir)
    tapeflow_reads(tool, workdir)
    python_reads(tool, workdir)


if __name__ == "__main__":
    main()
