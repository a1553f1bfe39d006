"""The demo signature and seal images: PNG, transparent, blue and red, the seal at 300 dpi so
its actual size is known."""
import io
import math

from PIL import Image

from services.signing.images import demo_seal_png, demo_signature_png


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGBA")


def test_the_demo_signature_is_a_blue_stroke_on_a_transparent_background():
    image = open_png(demo_signature_png("Trần Thị Bích Ngọc"))
    pixels = [p for p in image.getdata() if p[3] > 0]
    assert image.getpixel((0, 0))[3] == 0
    assert 0.02 < len(pixels) / (image.width * image.height) < 0.5
    assert all(b > 120 and r < 90 and g < 110 for r, g, b, _ in pixels if _ > 200)


def test_two_people_get_different_demo_signatures():
    assert demo_signature_png("Trần Thị Bích Ngọc") != demo_signature_png("Nguyễn Văn Ký")


def test_the_demo_seal_is_red_round_transparent_and_its_diameter_at_300_dpi():
    data = demo_seal_png("Ủy ban nhân dân tỉnh Ninh Bình", diameter_mm=36)
    assert round(Image.open(io.BytesIO(data)).info["dpi"][0]) == 300
    image = open_png(data)
    assert image.size == (425, 425)  # 36 mm at 300 dpi
    centre = image.width / 2
    opaque = [(x, y) for y in range(image.height) for x in range(image.width)
              if image.getpixel((x, y))[3] > 200]
    assert all(math.hypot(x + 0.5 - centre, y + 0.5 - centre) <= centre + 1 for x, y in opaque)
    colours = [image.getpixel(p) for p in opaque]
    assert all(r > 150 and g < 90 and b < 90 for r, g, b, _ in colours)
    # The rim is drawn all round: opaque pixels near the edge at the four compass points.
    for dx, dy in ((0, -1), (1, 0), (0, 1), (-1, 0)):
        x, y = int(centre + dx * (centre - 5)), int(centre + dy * (centre - 5))
        assert image.getpixel((x, y))[3] > 200
    assert image.getpixel((0, 0))[3] == 0


def test_a_smaller_seal_has_fewer_pixels():
    assert open_png(demo_seal_png("UBND xã", diameter_mm=30)).size == (354, 354)
