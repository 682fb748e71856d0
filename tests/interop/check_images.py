"""Image codec interop with Pillow (which bundles its own libjpeg-turbo and libpng).

usage: check_images.py INTEROP_IMAGES WORKDIR
  1. Pillow writes JPEGs (baseline 4:2:0, progressive, grayscale, 4:4:4, 4:2:2) and PNGs; tapeflow's decode_image
     must equal Pillow's decoding pixel for pixel, for channels 0, 1 and 3.
  2. tapeflow encodes PNGs and JPEGs; Pillow must open them: PNGs with exactly the source pixels, JPEGs with
     the same pixels tapeflow's own decoder gives, and close to the source.

Settings that make the decoders agree: both use libjpeg's defaults, the accurate integer DCT (JDCT_ISLOW) and
fancy upsampling (TurboJPEG without TJFLAG_FASTDCT/TJFLAG_FASTUPSAMPLE; Pillow outside draft mode). Gray output
from a colour JPEG is libjpeg's own YCbCr -> gray (the Y channel), which Pillow gives through draft("L"), not
convert("L") (its own RGB -> L formula).
"""
import pathlib
import subprocess
import sys

import numpy as np
from PIL import Image


def picture(h, w):
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 4 + y) % 256
    g = (y * 5 + (x // 7) * 40) % 256
    b = ((x + y) * 3 + ((x // 6 + y // 5) % 2) * 100) % 256
    return np.stack([r, g, b], axis=-1).astype(np.uint8)


def read_raw(path):
    data = pathlib.Path(path).read_bytes()
    header, pixels = data.split(b"\n", 1)
    h, w, c = (int(v) for v in header.split())
    return np.frombuffer(pixels, dtype=np.uint8).reshape(h, w, c)


def tapeflow_decode(tool, path, channels, work):
    out = work / (path.name + f".c{channels}.raw")
    subprocess.run([tool, "decode", str(path), str(channels), str(out)], check=True)
    return read_raw(out)


def as_hwc(image):
    a = np.asarray(image)
    return a[:, :, None] if a.ndim == 2 else a


def expect_equal(name, ours, pillow):
    if ours.shape != pillow.shape:
        sys.exit(f"FAIL {name}: tapeflow gives {ours.shape}, Pillow {pillow.shape}")
    diff = np.abs(ours.astype(int) - pillow.astype(int))
    if diff.max() != 0:
        sys.exit(f"FAIL {name}: {np.count_nonzero(diff)} of {diff.size} values differ, by up to {diff.max()}")
    print(f"ok {name}: {ours.shape} equal pixel for pixel")


def check_decoding(tool, work):
    rgb = Image.fromarray(picture(45, 67))  # odd sizes: partial MCUs at the edges
    files = {
        "baseline_420.jpg": dict(quality=90, subsampling=2),
        "progressive.jpg": dict(quality=85, progressive=True),
        "subsampling_444.jpg": dict(quality=95, subsampling=0),
        "subsampling_422.jpg": dict(quality=80, subsampling=1),
    }
    for name, options in files.items():
        rgb.save(work / name, **options)
    rgb.convert("L").save(work / "grayscale.jpg", quality=90)
    rgb.save(work / "rgb.png")
    rgb.convert("L").save(work / "gray.png")
    Image.fromarray(np.dstack([picture(45, 67), picture(45, 67)[:, :, :1]])).save(work / "rgba.png")

    for path in sorted(work.glob("*.jpg")) + sorted(work.glob("*.png")):
        with Image.open(path) as im:
            stored = as_hwc(im)
        expect_equal(f"{path.name} channels=0", tapeflow_decode(tool, path, 0, work), stored)
        if path.suffix == ".jpg":
            with Image.open(path) as im:
                expect_equal(f"{path.name} channels=3", tapeflow_decode(tool, path, 3, work), as_hwc(im.convert("RGB")))
            with Image.open(path) as im:
                im.draft("L", None)  # libjpeg's own conversion to gray
                expect_equal(f"{path.name} channels=1", tapeflow_decode(tool, path, 1, work), as_hwc(im.convert("L")))


def check_encoding(tool, work):
    subprocess.run([tool, "encode", str(work)], check=True)
    for name in ("rgba", "gray"):
        with Image.open(work / f"{name}.png") as im:
            expect_equal(f"tapeflow's {name}.png opened by Pillow", as_hwc(im), read_raw(work / f"{name}.raw"))
    for name in ("rgb", "gray"):
        path = work / f"{name}.jpg"
        with Image.open(path) as im:
            pillow = as_hwc(im)
        expect_equal(f"tapeflow's {name}.jpg opened by Pillow", tapeflow_decode(tool, path, 0, work), pillow)
    # Against the source, as close as Pillow's own quality-95 4:2:0 encoding of the same pixels.
    source = read_raw(work / "rgb.raw")
    Image.fromarray(source).save(work / "pillow_rgb.jpg", quality=95, subsampling=2)
    errors = []
    for path in (work / "rgb.jpg", work / "pillow_rgb.jpg"):
        with Image.open(path) as im:
            errors.append(np.abs(as_hwc(im).astype(int) - source.astype(int)).mean())
    if errors[0] > errors[1] * 1.1 + 0.5:
        sys.exit(f"FAIL tapeflow's rgb.jpg is {errors[0]:.2f} levels from its source, Pillow's {errors[1]:.2f}")
    print(f"ok tapeflow's rgb.jpg: mean error {errors[0]:.2f} levels at quality 95 (Pillow's: {errors[1]:.2f})")


def main():
    tool, work = sys.argv[1], pathlib.Path(sys.argv[2])
    for sub in ("pillow", "tapeflow"):
        (work / sub).mkdir(parents=True, exist_ok=True)
    check_decoding(tool, work / "pillow")
    check_encoding(tool, work / "tapeflow")


if __name__ == "__main__":
    main()
