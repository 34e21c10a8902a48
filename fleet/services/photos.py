"""Pictures: checked from their bytes, stripped of their metadata, stored under a random name."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from fleet.models import Inspection, Photo, Vehicle
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l

ALLOWED_IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
                         "WEBP": ("webp", "image/webp")}
MAX_IMAGE_PIXELS = 40_000_000


def without_metadata(data: bytes, image_format: str) -> bytes:
    """The picture re-encoded from its pixels only: EXIF (GPS position, camera, date), XMP
    and comments are dropped; the EXIF orientation is applied first so it still shows upright.
    """
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        if "transparency" in upright.info and upright.mode in ("P", "L", "RGB"):
            pixels.info["transparency"] = upright.info["transparency"]
        if upright.mode == "P":
            pixels.putpalette(upright.getpalette())
        out = io.BytesIO()
        options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {}
        pixels.save(out, format=image_format, **options)
    return out.getvalue()


@dataclass(frozen=True)
class CleanPicture:
    """An uploaded picture checked from its bytes and re-encoded without its metadata."""

    data: bytes
    extension: str
    content_type: str
    width: int
    height: int


def clean_picture(data: bytes, *, max_bytes: int, field: str = "photo",
                  formats: Iterable[str] = tuple(ALLOWED_IMAGE_FORMATS),
                  refusal: Any = None) -> CleanPicture:
    """Check an uploaded picture's size and real type from its bytes (never its name), then
    strip its metadata (`without_metadata`). The one home for picture uploads: vehicle and
    inspection photos, people's documents. Refusals are 400s on `field`; `refusal` is the
    message for a file of another type."""
    refusal = refusal or _l("This file is not a picture (JPEG, PNG or WebP).")
    if not data:
        raise ValidationFailed(details={field: _l("Choose a picture to send.")})
    if len(data) > max_bytes:
        raise ValidationFailed(details={field: _l(
            "The picture is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024))})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationFailed(details={field: _l("The picture has too many pixels.")})
            image.verify()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationFailed(details={field: refusal}) from None
    if image_format not in ALLOWED_IMAGE_FORMATS or image_format not in formats:
        raise ValidationFailed(details={field: refusal})
    extension, content_type = ALLOWED_IMAGE_FORMATS[image_format]
    return CleanPicture(without_metadata(data, image_format), extension, content_type,
                        width, height)


def store_upload(folder: str | Path, data: bytes, extension: str) -> str:
    """Write checked bytes under `folder` with a random server-side name (never the
    uploader's); returns the name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    (folder / name).write_bytes(data)
    return name


def save_photo(actor, vehicle: Vehicle, data: bytes, *, upload_folder: str | Path,
               max_bytes: int, inspection: Inspection | None = None) -> Photo:
    """Store an uploaded picture after checking its size and its real type from the bytes."""
    picture = clean_picture(data, max_bytes=max_bytes)
    name = store_upload(Path(upload_folder) / "fleet", picture.data, picture.extension)
    photo = Photo(platform_id=vehicle.platform_id, vehicle_id=vehicle.id,
                  inspection_id=inspection.id if inspection else None, stored_name=name,
                  content_type=picture.content_type, size_bytes=len(picture.data),
                  width=picture.width, height=picture.height,
                  uploaded_by_id=getattr(actor, "id", None))
    db.session.add(photo)
    db.session.commit()
    return photo


def photo_path(photo: Photo, upload_folder: str | Path) -> Path:
    """Where a stored picture lives on disk."""
    return Path(upload_folder) / "fleet" / photo.stored_name
