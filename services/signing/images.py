"""Demo images for the visible signatures: a blue handwriting-like signature and a red round
seal, both PNG with a transparent background (ND30 Phụ lục I §II.7.d, §II.8.a). Real people
and organisations upload their own; these stand in for the demo and the tests."""
from __future__ import annotations

import hashlib
import io
import math
import os
import unicodedata

from PIL import Image, ImageDraw, ImageFont

FONT_PATH = os.path.join(os.path.dirname(__file__), "fonts", "LiberationSerif-Regular.ttf")
SIGNATURE_BLUE = (20, 40, 170, 255)
SEAL_RED = (210, 25, 30, 255)
SEAL_DPI = 300


def demo_signature_png(full_name: str) -> bytes:
    """A blue flourish (600 x 240 px) that differs by name: a looping stroke whose loops come
    from a hash of the name, then an underline sweep."""
    width, height = 600, 240
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    seed = hashlib.sha256(unicodedata.normalize("NFC", full_name).encode()).digest()
    points = []
    loops = 4 + seed[0] % 3
    for step in range(0, 401):
        t = step / 400
        x = 40 + t * 480
        # A few loops (a "cursive" name) riding on a gentle rise.
        phase = 2 * math.pi * loops * t
        amplitude = 55 * (0.55 + 0.45 * math.sin(math.pi * t + seed[1] / 40))
        x -= 38 * math.sin(phase + seed[2] / 50)
        y = 130 - 35 * t + amplitude * math.sin(phase)
        points.append((x, y))
    draw.line(points, fill=SIGNATURE_BLUE, width=7, joint="curve")
    sweep = [(60 + 470 * t, 190 - 25 * math.sin(math.pi * t)) for t in
             (i / 100 for i in range(101))]
    draw.line(sweep, fill=SIGNATURE_BLUE, width=5, joint="curve")
    return _png(image)


def demo_seal_png(organisation_name: str, diameter_mm: float = 36) -> bytes:
    """A red round seal diameter_mm across at 300 dpi: two rims, the organisation's name
    around the upper rim, a star in the middle."""
    size = max(64, round(diameter_mm / 25.4 * SEAL_DPI))
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    outer = size / 2 - size * 0.01
    rim = max(3, round(size * 0.025))
    draw.ellipse([centre - outer, centre - outer, centre + outer, centre + outer],
                 outline=SEAL_RED, width=rim)
    inner = outer * 0.70
    draw.ellipse([centre - inner, centre - inner, centre + inner, centre + inner],
                 outline=SEAL_RED, width=max(2, rim // 2))
    _draw_star(draw, centre, centre, inner * 0.45)
    _draw_rim_text(image, unicodedata.normalize("NFC", organisation_name).upper(),
                   centre, (outer + inner) / 2, size)
    return _png(image, dpi=SEAL_DPI)


def _draw_star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.4
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=SEAL_RED)


def _draw_rim_text(image: Image.Image, text: str, centre: float, radius: float,
                   size: int) -> None:
    """Each letter upright towards the rim, spread over the top 280° of the circle."""
    if not text:
        return
    font_px = max(8, round(size * 0.085))
    font = ImageFont.truetype(FONT_PATH, font_px)
    span = math.radians(280)
    # Long names get a smaller arc per letter rather than running over themselves.
    step = span / max(len(text), 1)
    start = -math.pi / 2 - span / 2 + step / 2
    for i, letter in enumerate(text):
        if letter.isspace():
            continue
        angle = start + i * step  # 0 = east, clockwise in image coordinates
        tile = Image.new("RGBA", (font_px * 2, font_px * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((font_px, font_px), letter, font=font, fill=SEAL_RED,
                                  anchor="mm")
        tile = tile.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = centre + radius * math.cos(angle) - tile.width / 2
        y = centre + radius * math.sin(angle) - tile.height / 2
        image.alpha_composite(tile, (round(x), round(y)))


def _png(image: Image.Image, dpi: int | None = None) -> bytes:
    out = io.BytesIO()
    if dpi:
        image.save(out, format="PNG", dpi=(dpi, dpi))
    else:
        image.save(out, format="PNG")
    return out.getvalue()
