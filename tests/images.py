"""Images as a phone or a scanner makes them, built with Pillow: a tiny valid JPEG or PNG, or a large
photo of random noise (noise does not compress, so the file is as large as a camera's)."""

from __future__ import annotations

import io
import os

from PIL import Image


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (40, 30), mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white" if mode != "RGBA" else (255, 255, 255, 0)).save(out, fmt, **save)
    return out.getvalue()


def noise_image(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    width, height = size
    bands = len(mode)
    return Image.frombytes(mode, size, os.urandom(width * height * bands))


def saved(image: Image.Image, fmt: str, **save) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
