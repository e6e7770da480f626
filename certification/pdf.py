"""The certificate as a PDF in Chinese, with a QR code to its public verification page.

Fonts: the first TrueType-outlined CJK font found on the system is embedded as a subset (Debian:
``fonts-wqy-zenhei``; reportlab cannot embed the CFF outlines of ``fonts-noto-cjk``, so those are
tried and skipped). With none installed the PDF refers to Adobe's standard CID font
``STSong-Light``: every viewer substitutes a Song face, and the text still extracts.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas

# (path, sub-font index): the first that loads wins. GA_CJK_FONT (settings or env) goes first.
FONT_CANDIDATES: list[tuple[str, int]] = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
]
FALLBACK_FONT = "STSong-Light"


@lru_cache(maxsize=1)
def embeddable_font() -> tuple[str, int] | None:
    """(path, sub-font index) of the first CJK font reportlab can embed, or None."""
    configured = getattr(settings, "GA_CJK_FONT", "")
    candidates = ([(configured, 0)] if configured else []) + FONT_CANDIDATES
    for path, index in candidates:
        if not Path(path).is_file():
            continue
        try:
            TTFont("GA-CJK-probe", path, subfontIndex=index)
        except (TTFError, OSError):
            continue
        return path, index
    return None


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register and return the name of the font the certificates use."""
    found = embeddable_font()
    if found is not None:
        pdfmetrics.registerFont(TTFont("GA-CJK", found[0], subfontIndex=found[1]))
        return "GA-CJK"
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def verification_url(certificate) -> str:
    base = getattr(settings, "GA_VERIFY_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL
    return f"{base.rstrip('/')}/verify/{certificate.verification_code}/"


QR_BORDER = 4  # modules of quiet zone on each side, inside ``size`` (as reportlab's widget)


@lru_cache(maxsize=256)
def qr_rectangles(data: str) -> tuple[int, tuple[tuple[int, int, int, int], ...]]:
    """The QR code of ``data`` (error correction M, never a Micro QR) as (modules per side,
    [(top row, left column, width, height)]) in modules: each row's dark modules merged into
    horizontal runs, and the same run in consecutive rows merged into one rectangle."""
    matrix = segno.make_qr(data, error="m", boost_error=False).matrix
    done: list[tuple[int, int, int, int]] = []
    growing: dict[tuple[int, int], int] = {}  # (column, width) -> top row
    for row, bits in enumerate(matrix):
        runs = set()
        col, n = 0, len(bits)
        while col < n:
            if bits[col]:
                first = col
                while col < n and bits[col]:
                    col += 1
                runs.add((first, col - first))
            else:
                col += 1
        for key in [k for k in growing if k not in runs]:
            top = growing.pop(key)
            done.append((top, key[0], key[1], row - top))
        for key in runs:
            growing.setdefault(key, row)
    for (col, w), top in growing.items():
        done.append((top, col, w, len(matrix) - top))
    return len(matrix), tuple(sorted(done))


def draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of ``data`` as one filled path of rectangles in the ``size`` square
    whose lower-left corner is (x, y), quiet zone included. Encoded once; drawn on a grid of
    one unit per module (rows downwards), so every coordinate in the page is a small integer."""
    n, rectangles = qr_rectangles(data)
    module = size / (n + 2 * QR_BORDER)
    pdf.saveState()
    pdf.translate(x + QR_BORDER * module, y + size - QR_BORDER * module)
    pdf.scale(module, -module)
    pdf.setFillColor(colors.black)
    path = pdf.beginPath()
    for row, col, w, h in rectangles:
        path.rect(col, row, w, h)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()


def render_certificate(certificate, *, font: str | None = None) -> bytes:
    """One landscape A4 page: title, holder, level, number, dates, issuing body, QR code."""
    font = font or cjk_font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{certificate.number} {certificate.level.name}")
    pdf.setAuthor(certificate.issuing_body)
    pdf.setSubject(_("Certificate"))

    red = colors.HexColor("#b3261e")
    pdf.setStrokeColor(red)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    pdf.setFillColor(red)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 45 * mm, _("Certificate of Qualification"))
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 15)
    pdf.drawCentredString(width / 2, height - 57 * mm, settings.WAGTAIL_SITE_NAME)

    pdf.setFont(font, 18)
    body = _("%(name)s has met the requirements of the Grid Academy certification and is awarded")
    pdf.drawCentredString(width / 2, height - 80 * mm, body % {"name": certificate.holder_name})
    pdf.setFont(font, 28)
    pdf.drawCentredString(
        width / 2, height - 97 * mm, f"{certificate.level.code} {certificate.level.name}"
    )

    pdf.setFont(font, 13)
    left = 40 * mm
    y = 70 * mm
    expires = (
        certificate.expires_on.strftime("%Y-%m-%d") if certificate.expires_on else _("No expiry")
    )
    lines = [
        _("Certificate number: %(v)s") % {"v": certificate.number},
        _("Issued on: %(v)s") % {"v": certificate.issued_on.strftime("%Y-%m-%d")},
        _("Valid from %(a)s to %(b)s")
        % {"a": certificate.valid_from.strftime("%Y-%m-%d"), "b": expires},
        _("Issuing body: %(v)s") % {"v": certificate.issuing_body},
        _("Verification code: %(v)s") % {"v": certificate.verification_code},
    ]
    for line in lines:
        pdf.drawString(left, y, line)
        y -= 8 * mm

    size = 45 * mm
    qr_x, qr_y = width - 40 * mm - size, 30 * mm
    draw_qr(pdf, verification_url(certificate), qr_x, qr_y, size)
    pdf.setFont(font, 10)
    pdf.drawCentredString(qr_x + size / 2, qr_y - 4 * mm, _("Scan to verify"))

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
