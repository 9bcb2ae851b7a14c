"""Real photo files for upload tests: a HEIC as an iPhone writes it (made by pillow-heif)."""

import io

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXIF_ORIENTATION = 0x0112
ROTATED_90 = 6  # the camera was held upright: show the picture turned a quarter clockwise


def scene(size: tuple[int, int] = (40, 30)):
    """A picture that looks like a photo of a village road: sky, fields, the road, a notice board."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = height * 5 // 12
    for y in range(horizon):
        shade = 255 - 90 * y // max(horizon, 1)
        draw.line([(0, y), (width, y)], fill=(shade - 60, shade - 20, 255))
    draw.rectangle([0, horizon, width, height], fill=(96, 150, 70))
    draw.polygon(
        [(width * 2 // 5, horizon), (width * 3 // 5, horizon), (width, height), (0, height)], fill=(120, 120, 118)
    )
    draw.rectangle([width // 8, horizon - height // 4, width // 3, horizon], fill=(183, 40, 46), outline=(60, 60, 60))
    return image


def scene_bytes(size: tuple[int, int] = (40, 30), format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    scene(size).save(buffer, format=format)
    return buffer.getvalue()


def heic_bytes(size: tuple[int, int] = (40, 30), orientation: int | None = None) -> bytes:
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    image = scene(size)
    buffer = io.BytesIO()
    if orientation is None:
        image.save(buffer, format="HEIF")
    else:
        exif = Image.Exif()
        exif[EXIF_ORIENTATION] = orientation
        image.save(buffer, format="HEIF", exif=exif.tobytes())
    return buffer.getvalue()


def jpeg_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size
