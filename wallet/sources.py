"""What a learner hands the wallet: a credential file, a baked badge image, or a photo or
screenshot of QR codes. Turns each into the credential bytes inside."""

from __future__ import annotations

from wallet.errors import InputTooLarge, LinkOnly, MalformedInput, UnsupportedInput
from wallet.formats import baking, detect

JPEG_MAGIC = b"\xff\xd8\xff"


def is_image(data: bytes) -> bool:
    return data.startswith((detect.PNG_SIGNATURE, JPEG_MAGIC, b"GIF8")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )


def _has_baked_credential(name: str, data: bytes) -> bool:
    try:
        baking.unbake(data)
    except baking.HostedUrlOnly:
        return True  # still a badge (its error says to import the URL), not a QR picture
    except (UnsupportedInput, InputTooLarge):
        return False  # no badge in it (or a big photo): look for QR codes
    except MalformedInput as exc:
        # A broken PNG (bad CRC, truncated, a corrupt baked chunk) has no readable QR code
        # either: say what is wrong with it instead of handing it to the image decoder.
        raise MalformedInput(f"{name}: not a readable PNG image: {exc.message}") from None
    return True


MAX_SHOWN_URL = 200


def _shortened(url: str) -> str:
    """The whole URL, or for a very long one its start cut after a '/', '?' or '&' with an
    ellipsis: never in the middle of a word."""
    if len(url) <= MAX_SHOWN_URL:
        return url
    head = url[:MAX_SHOWN_URL]
    cut = max(head.rfind(c) for c in "/?&=")
    return (head[: cut + 1] if cut > 20 else head) + "…"


def credential_payloads(name: str, data: bytes) -> list[bytes]:
    """Credential bytes from one source: itself, or the text of the QR codes pictured in it."""
    if is_image(data) and not (
        data.startswith(detect.PNG_SIGNATURE) and _has_baked_credential(name, data)
    ):
        from wallet.present import qr

        texts = qr.read_qr_images([data], names=[name])
        for text in texts:
            if (
                text.strip()
                .lower()
                .startswith(("http://", "https://", "openid-credential-offer://"))
            ):
                raise LinkOnly(
                    f"the QR code in {name} holds a link ({_shortened(text.strip())}); importing"
                    " it needs the network",
                    text.strip(),
                )
        return [text.encode("utf-8") for text in texts]
    return [data]
