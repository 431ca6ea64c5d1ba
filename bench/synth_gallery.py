"""Render every synth source to a WAV and draw one spectrogram sheet of them all.

    .venv/bin/python bench/synth_gallery.py [--out synth-gallery] [--duration 5] [--seed 0]

Writes <out>/<source>.wav (from the example prompt of each source, so the parser
is exercised too) and <out>/spectrograms.png: one tile per source, time left to
right over the clip, frequency bottom to top on a log axis from 30 Hz to 16 kHz,
level in dB (dark = quiet).  The PNG is written with numpy and zlib only.
"""

from __future__ import annotations

import argparse
import struct
import zlib
from pathlib import Path

import numpy as np
from scipy import signal

from tag.audio import encode
from tag.engines.synth import SynthEngine
from tag.engines.synth.catalogue import examples

EXAMPLES = examples("en")

TILE_W, TILE_H, LABEL_H, PAD, COLUMNS = 300, 120, 14, 6, 4

# A 3x5 pixel font: each glyph is five rows of three bits.
_FONT = {
    "a": "010101111101101",
    "b": "110101110101110",
    "c": "011100100100011",
    "d": "110101101101110",
    "e": "111100110100111",
    "f": "111100110100100",
    "g": "011100101101011",
    "h": "101101111101101",
    "i": "111010010010111",
    "j": "001001001101010",
    "k": "101101110101101",
    "l": "100100100100111",
    "m": "101111111101101",
    "n": "110101101101101",
    "o": "010101101101010",
    "p": "110101110100100",
    "q": "010101101110011",
    "r": "110101110101101",
    "s": "011100010001110",
    "t": "111010010010010",
    "u": "101101101101111",
    "v": "101101101101010",
    "w": "101101111111101",
    "x": "101101010101101",
    "y": "101101010010010",
    "z": "111001010100111",
    "_": "000000000000111",
    " ": "000000000000000",
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "110001010100111",
    "3": "110001010001110",
    "4": "101101111001001",
    "5": "111100110001110",
    "6": "011100111101111",
    "7": "111001010010010",
    "8": "111101111101111",
    "9": "111101111001110",
}


def draw_text(img: np.ndarray, text: str, x: int, y: int, scale: int = 2) -> None:
    for k, ch in enumerate(text.lower()):
        bits = np.array([int(b) for b in _FONT.get(ch, _FONT[" "])], dtype=bool).reshape(5, 3)
        glyph = np.kron(bits, np.ones((scale, scale), dtype=bool))
        x0 = x + k * 4 * scale
        h, w = glyph.shape
        if x0 + w <= img.shape[1] and y + h <= img.shape[0]:
            img[y : y + h, x0 : x0 + w][glyph] = 255


def colour(levels: np.ndarray) -> np.ndarray:
    """0..1 -> RGB: black, blue, magenta, orange, yellow-white (a perceptual-ish ramp)."""
    stops = np.array([[0, 0, 0], [30, 20, 120], [160, 30, 130], [240, 120, 30], [255, 250, 190]], dtype=float)
    pos = np.clip(levels, 0, 1) * (len(stops) - 1)
    i = np.minimum(pos.astype(int), len(stops) - 2)
    frac = (pos - i)[..., None]
    return (stops[i] * (1 - frac) + stops[i + 1] * frac).astype(np.uint8)


def spectrogram_tile(samples: np.ndarray, sr: int) -> np.ndarray:
    freqs, _, z = signal.stft(samples, fs=sr, nperseg=1024, noverlap=768)
    power = np.abs(z) ** 2 + 1e-12
    rows = np.geomspace(30, min(16000, sr / 2), TILE_H)[::-1]  # top row = highest frequency
    row_idx = np.clip(np.searchsorted(freqs, rows), 0, freqs.size - 1)
    cols = np.linspace(0, power.shape[1] - 1, TILE_W).astype(int)
    db = 10 * np.log10(power[np.ix_(row_idx, cols)])
    return colour((db - (db.max() - 80)) / 80)


def write_png(path: Path, rgb: np.ndarray) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))  # filter type 0 per row
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    )


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--out", type=Path, default=Path("synth-gallery"))
    args.add_argument("--duration", type=float, default=5.0)
    args.add_argument("--seed", type=int, default=0)
    opts = args.parse_args()
    opts.out.mkdir(parents=True, exist_ok=True)

    engine = SynthEngine()
    names = sorted(EXAMPLES)
    rows = -(-len(names) // COLUMNS)
    sheet = np.full((rows * (TILE_H + LABEL_H + PAD) + PAD, COLUMNS * (TILE_W + PAD) + PAD, 3), 40, dtype=np.uint8)
    for k, name in enumerate(names):
        audio = engine.generate(EXAMPLES[name], opts.duration, seed=opts.seed)
        (opts.out / f"{name}.wav").write_bytes(encode(audio.samples, audio.sample_rate, "wav"))
        r, c = divmod(k, COLUMNS)
        y = PAD + r * (TILE_H + LABEL_H + PAD)
        x = PAD + c * (TILE_W + PAD)
        draw_text(sheet, name, x, y + 1)
        sheet[y + LABEL_H : y + LABEL_H + TILE_H, x : x + TILE_W] = spectrogram_tile(audio.samples, audio.sample_rate)
        print(f"{name:12s} {EXAMPLES[name]!r:32s} sources={audio.details['sources']}")
    write_png(opts.out / "spectrograms.png", sheet)
    print(f"wrote {len(names)} WAV files and {opts.out / 'spectrograms.png'}")


if __name__ == "__main__":
    main()
