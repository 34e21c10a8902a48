"""Where uploaded files go and how large a photo may be (the settings of `mobility.config`)."""

from __future__ import annotations

from flask import current_app


def upload_settings() -> tuple[str, int]:
    """Where photos and documents go and the photos' size cap (`UPLOAD_FOLDER`,
    `MAX_PHOTO_BYTES`)."""
    folder = current_app.config.get("UPLOAD_FOLDER") or f"{current_app.instance_path}/uploads"
    return folder, int(current_app.config.get("MAX_PHOTO_BYTES", 8 * 1024 * 1024))
