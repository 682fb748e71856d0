#!/usr/bin/env bash
# The README's "Reliability" table: feeds tapeflow's programs broken inputs, a broken disk and a diverging run,
# and prints one markdown row per fault with the exit status and the last line the user sees on stderr.
#   scripts/fault-table.sh [BIN_DIR (default build/bin)] [MNIST_DIR (default /usr/share/datasets/fashion-mnist)]
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "${1:-$ROOT/build/bin}" && pwd)
MNIST=${2:-/usr/share/datasets/fashion-mnist}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export OMP_NUM_THREADS=1

# row INPUT FAULT COMMAND...: runs COMMAND and prints | INPUT | FAULT | exit | what the user sees |: its stderr
# (without the CPU-fallback notice), or, when it succeeds, the first line of its stdout.
row() {
  local input=$1 fault=$2
  shift 2
  "$@" >stdout.txt 2>stderr.txt
  local status=$?
  local seen
  if ((status == 0)); then
    seen="(runs) $(grep -a -v '^[[:space:]]*$' stdout.txt | head -n 1)"
  else
    seen=$(grep -v -e '^[[:space:]]*$' -e 'no CUDA device found' stderr.txt | paste -s -d '~' | sed 's/~/ \/ /g')
  fi
  printf '| %s | %s | %s | %s |\n' "$input" "$fault" "$status" "$(echo "$seen" | cut -c1-260 | sed 's/|/\\|/g')"
}
# poke FILE OFFSET BYTES: overwrites bytes (printf escapes) at OFFSET.
poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

mkdir mnist
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [[ -f "$MNIST/$name.gz" ]]; then zcat "$MNIST/$name.gz" >"mnist/$name"; else cp "$MNIST/$name" mnist/; fi
done
broken_mnist() { rm -rf "$1" && cp -r mnist "$1"; }

echo "| input | fault injected | exit | what the user sees |"
echo "| --- | --- | ---: | --- |"

# IDX (train_mnist --data)
broken_mnist cut && truncate -s 100000 cut/train-images-idx3-ubyte
row "IDX images" "file cut short" "$BIN/train_mnist" --data cut --epochs 1
broken_mnist lie && poke lie/train-images-idx3-ubyte 4 '\x7f\xff\xff\xff'
row "IDX images" "header claims 2^31 images" "$BIN/train_mnist" --data lie --epochs 1
broken_mnist magic && poke magic/train-images-idx3-ubyte 0 '\x00\x00\x09\x03'
row "IDX images" "wrong type byte in the magic" "$BIN/train_mnist" --data magic --epochs 1
broken_mnist count && cp mnist/t10k-labels-idx1-ubyte count/train-labels-idx1-ubyte
row "IDX labels" "10,000 labels for 60,000 images" "$BIN/train_mnist" --data count --epochs 1
row "--data" "folder missing" "$BIN/train_mnist" --data nowhere --epochs 1

# Flags
row "flags" "--epochs -3" "$BIN/train_mnist" --epochs -3
row "flags" "misspelt flag --epoch" "$BIN/train_mnist" --epoch 3

# TFRecord (tfrecord verify, train_mnist --tfrecord)
"$BIN/export_images" --data mnist --out jpegs --limit 40 >/dev/null
"$BIN/tfrecord" write --images jpegs --out good.tfrecord >/dev/null
cp good.tfrecord flipped.tfrecord && poke flipped.tfrecord 300 '\xff'
row "TFRecord" "one payload byte flipped" "$BIN/tfrecord" verify flipped.tfrecord
row "TFRecord" "one payload byte flipped, training" "$BIN/train_mnist" --model mlp --epochs 1 --data mnist \
  --tfrecord flipped.tfrecord
cp good.tfrecord cut.tfrecord && truncate -s 500 cut.tfrecord
row "TFRecord" "file cut inside a record" "$BIN/tfrecord" verify cut.tfrecord
cp good.tfrecord length.tfrecord && poke length.tfrecord 0 '\xff\xff\xff\xff\xff\xff\xff\x7f'
row "TFRecord" "length field 2^63" "$BIN/tfrecord" verify length.tfrecord

# JPEG / PNG, decoded by train_mnist --tfrecord
cp -r jpegs bad_jpegs && first=$(ls bad_jpegs/1 | head -n 1) && truncate -s 200 "bad_jpegs/1/$first"
"$BIN/tfrecord" write --images bad_jpegs --out bad_jpeg.tfrecord >/dev/null
row "JPEG" "image cut after 200 bytes" "$BIN/train_mnist" --model mlp --epochs 1 --data mnist \
  --tfrecord bad_jpeg.tfrecord
"$BIN/export_images" --data mnist --out pngs --limit 40 --format png >/dev/null
first=$(ls pngs/1 | head -n 1) && python3 - "pngs/1/$first" <<'PY'
import struct, sys, zlib
png = bytearray(open(sys.argv[1], "rb").read())
png[16:20] = struct.pack(">I", 2**31 - 1)                        # IHDR width
png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))  # and a CRC that matches it
open(sys.argv[1], "wb").write(png)
PY
"$BIN/tfrecord" write --images pngs --out bad_png.tfrecord >/dev/null
row "PNG" "header claims width 2^31 (CRC matching)" "$BIN/train_mnist" --model mlp --epochs 1 --data mnist --tfrecord bad_png.tfrecord

# Text corpus (textgen --text)
row "text corpus" "file missing" "$BIN/textgen" --text nowhere.txt --steps 1
: >empty.txt
row "text corpus" "empty file" "$BIN/textgen" --text empty.txt --steps 1
printf 'ab' >tiny.txt
row "text corpus" "shorter than one window" "$BIN/textgen" --text tiny.txt --steps 1
head -c 100000 /dev/urandom >random.txt
row "text corpus" "100 KB of random bytes" "$BIN/textgen" --text random.txt --steps 2 --sample-length 5

# Checkpoints (textgen --ckpt-dir)
for i in $(seq 200); do printf 'To be or not to be, that is the question. '; done >play.txt
"$BIN/textgen" --text play.txt --steps 3 --ckpt-dir ckpt --save-every 1 --sample-length 5 >/dev/null 2>&1
newest=$(basename "$(ls ckpt/*.safetensors | sort -V | tail -n 1)")
broken_ckpt() { rm -rf "$1" && cp -r ckpt "$1"; }
broken_ckpt cut && truncate -s 1000 "cut/$newest"
row "checkpoint" "file cut short" "$BIN/textgen" --text play.txt --ckpt-dir cut --sample-only --sample-length 5
broken_ckpt header && poke "header/$newest" 0 '\xff\xff\xff\xff\xff\x00\x00\x00'
row "checkpoint" "header length 1 TB" "$BIN/textgen" --text play.txt --ckpt-dir header --sample-only --sample-length 5
broken_ckpt state && printf 'model_checkpoint_path: "ckpt-9"\nall_model_checkpoint_paths: garbage{' >state/checkpoint
row "checkpoint" "\`checkpoint\` state file garbled" "$BIN/textgen" --text play.txt --ckpt-dir state --sample-only \
  --sample-length 5
printf 'A different corpus: other characters, so another vocabulary size! 0123456789 %.0s' $(seq 50) >other.txt
row "checkpoint" "another model's (vocabulary differs)" "$BIN/textgen" --text other.txt --ckpt-dir ckpt --sample-only \
  --sample-length 5

# Disk
row "checkpoint folder" "its parent is a regular file" "$BIN/textgen" --text play.txt --steps 2 --ckpt-dir play.txt/ckpt \
  --sample-length 5
mkdir full && cp "ckpt/$newest" ckpt/checkpoint full/
row "checkpoint folder" "disk full while saving (\`ulimit -f 64\`)" bash -c \
  "ulimit -f 64; exec '$BIN/textgen' --text play.txt --steps 2 --save-every 1 --ckpt-dir full --sample-length 5"
intact=$(cmp -s "ckpt/$newest" "full/$newest" && echo "intact" || echo "CHANGED")
echo "<!-- after the full disk, the previous checkpoint full/$newest is $intact -->"

# Numerics
row "training" "diverging: --lr 1e30 --check-numerics" "$BIN/train_mnist" --model mlp --epochs 1 --lr 1e30 \
  --check-numerics --data mnist
