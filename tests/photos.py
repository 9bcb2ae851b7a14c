"""Real photo files for upload tests: a HEIC as an iPhone writes it (made by pillow-heif)."""

import io

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXIF_ORIENTATION = 0x0112
ROTATED_90 = 6  # the camera was held upright: show the picture turned a quarter clockwise


def heic_bytes(size: tuple[int, int] = (40, 30), orientation: int | None = None) -> bytes:
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    image = Image.new("RGB", size, "red")
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
