"""What an attached document may be, judged by its content, not its name or the browser's word:
a photo (JPEG, PNG or WebP) or a PDF, within DOCUMENT_MAX_MB. A photo is decoded and encoded
again as a JPEG of at most 2,000 pixels a side, turned upright and without any of its metadata
(EXIF: the place and time it was taken, the phone; XMP; comments), whatever the phone sent.
A PDF is kept as it is; it is served with a sandboxing Content-Security-Policy."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 2000  # pixels: a KTP or a letter stays readable; a phone's 12 MP photo is 4,000 wide
MAX_PIXELS = 50_000_000  # refused before decoding: no phone takes more, a decompression bomb does
JPEG_QUALITY = 85


class DocumentRefused(Exception):
    """The file cannot be attached; the message says why, for the officer."""


@dataclass
class PreparedDocument:
    content: bytes
    content_type: str


def document_prepare(data: bytes) -> PreparedDocument:
    """The file to store for an upload of ``data``, or DocumentRefused."""
    limit = settings.DOCUMENT_MAX_MB * 1024 * 1024
    if not data:
        raise DocumentRefused(_("The file is empty."))
    if len(data) > limit:
        raise DocumentRefused(
            _("The file is larger than %(limit)s MB. Take the photo again at a lower resolution.")
            % {"limit": settings.DOCUMENT_MAX_MB}
        )
    if data.startswith(b"%PDF-"):
        return PreparedDocument(content=data, content_type="application/pdf")
    return PreparedDocument(content=_image_without_metadata(data), content_type="image/jpeg")


def _image_without_metadata(data: bytes) -> bytes:
    refused = DocumentRefused(_("Only photos (JPEG, PNG or WebP) and PDF files can be attached."))
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError) as error:
        raise refused from error
    if image.format not in IMAGE_FORMATS:
        raise refused
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise DocumentRefused(_("The photo is too large to be read."))
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as error:  # truncated or corrupt
        raise DocumentRefused(_("The photo cannot be read: it may be damaged.")) from error
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, "white")
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new(upright.mode, upright.size)  # a new image carries no info, EXIF or ICC
    clean.paste(upright)
    output = io.BytesIO()
    clean.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return output.getvalue()
