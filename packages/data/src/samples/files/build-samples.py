"""Writes Cairn's sample datasets from the copies scikit-learn ships (no download).

Run from the repository root with the project's venv:  .venv/bin/python packages/data/src/samples/files/build-samples.py
The output is committed; Cairn never generates it at run time.
"""

import csv
import shutil
import struct
import zlib
from pathlib import Path

import sklearn
from sklearn import datasets

HERE = Path(__file__).resolve().parent


def snake(name: str) -> str:
    out = "".join(c if c.isalnum() else "_" for c in name.lower().replace("(cm)", "cm"))
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


def fmt_columns(rows):
    """Columns whose values are all whole numbers are written as integers (45, not 45.0)."""
    columns = list(zip(*rows))
    whole = [all(isinstance(v, str) or float(v).is_integer() for v in col) for col in columns]
    return [
        [v if isinstance(v, str) else (str(int(v)) if whole[i] else repr(float(v))) for i, v in enumerate(row)]
        for row in rows
    ]


def write_csv(path: Path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(fmt_columns(rows))


def png_gray(width: int, height: int, pixels: list[int]) -> bytes:
    """A minimal 8-bit greyscale PNG: signature, IHDR, one IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(pixels[y * width : (y + 1) * width]) for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    iris = datasets.load_iris()
    write_csv(
        HERE / "iris" / "iris.csv",
        [snake(n) for n in iris.feature_names] + ["species"],
        [list(x) + [iris.target_names[t]] for x, t in zip(iris.data, iris.target)],
    )

    wine = datasets.load_wine()
    write_csv(
        HERE / "wine" / "wine.csv",
        [snake(n) for n in wine.feature_names] + ["cultivar"],
        [list(x) + [int(t)] for x, t in zip(wine.data, wine.target)],
    )

    diabetes = datasets.load_diabetes(scaled=False)
    write_csv(
        HERE / "diabetes" / "diabetes.csv",
        [snake(n) for n in diabetes.feature_names] + ["progression"],
        [list(x) + [t] for x, t in zip(diabetes.data, diabetes.target)],
    )

    cancer = datasets.load_breast_cancer()
    write_csv(
        HERE / "breast-cancer" / "breast_cancer.csv",
        [snake(n) for n in cancer.feature_names] + ["diagnosis"],
        [list(x) + [cancer.target_names[t]] for x, t in zip(cancer.data, cancer.target)],
    )

    digits = datasets.load_digits()
    out = HERE / "digits"
    shutil.rmtree(out, ignore_errors=True)
    taken = {d: 0 for d in range(10)}
    for index, (image, label) in enumerate(zip(digits.images, digits.target)):
        if taken[label] >= 20:
            continue
        taken[label] += 1
        pixels = [round(v * 255 / 16) for v in image.flatten()]
        path = out / str(label) / f"digit-{index:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png_gray(8, 8, pixels))

    print(f"written with scikit-learn {sklearn.__version__}")


if __name__ == "__main__":
    main()
