"""The certificate PDF: Chinese text that extracts, and a QR code that decodes to the verify URL."""

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from certification import pdf, services


@pytest.fixture
def certificate(worker, level_c1):
    cert, _ = services.issue_certificate(worker, level_c1, acting_user=None)
    return cert


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _qr_texts(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    image = document[0].render(scale=3).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_pdf_text_in_chinese_with_embedded_font(certificate, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    pdf.cjk_font.cache_clear()
    data = pdf.render_certificate(certificate)
    assert data.startswith(b"%PDF")
    text = _text(data)
    assert "合格证书" in text
    assert "陈思远" in text
    assert "C1 初级网格员" in text
    assert f"证书编号：{certificate.number}" in text
    assert "网格学堂培训认证中心" in text
    assert certificate.valid_from.strftime("%Y-%m-%d") in text
    if pdf.embeddable_font() is not None:  # e.g. fonts-wqy-zenhei is installed
        assert pdf.cjk_font() == "GA-CJK"
        assert b"/FontFile2" in data  # a TrueType subset is embedded
    else:  # only CFF fonts such as fonts-noto-cjk, or none: the standard CID font
        assert pdf.cjk_font() == pdf.FALLBACK_FONT
        assert b"STSong-Light" in data


def test_pdf_falls_back_to_the_standard_cid_font(certificate):
    data = pdf.render_certificate(certificate, font=_fallback())
    assert b"STSong-Light" in data
    text = _text(data)
    assert "陈思远" in text
    assert "合格证书" in text


def _fallback() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(pdf.FALLBACK_FONT))
    return pdf.FALLBACK_FONT


def test_qr_decodes_to_the_verification_url(certificate):
    data = pdf.render_certificate(certificate)
    assert _qr_texts(data) == [f"http://testserver/verify/{certificate.verification_code}/"]


def test_qr_rectangles_cover_exactly_the_dark_modules():
    import segno

    url = "https://academy.example.gov.cn/verify/V0002692C1XYZ/"
    n, rectangles = pdf.qr_rectangles(url)
    matrix = segno.make_qr(url, error="m", boost_error=False).matrix
    covered = [[0] * n for _ in range(n)]
    for row, col, w, h in rectangles:
        for r in range(row, row + h):
            for c in range(col, col + w):
                covered[r][c] += 1
    assert covered == [[int(bool(b)) for b in bits] for bits in matrix]
    assert len(rectangles) < sum(map(sum, matrix)) / 2  # merged, not one per module


def test_qr_drawn_module_for_module_in_its_square():
    """Rendered page pixels at each module's centre match the code (no mirroring, no offset)."""
    import segno
    from reportlab.pdfgen import canvas

    url = "https://academy.example.gov.cn/verify/V0002692C1XYZ/"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(200, 200))
    pdf.draw_qr(page, url, 20, 30, 150)
    page.showPage()
    page.save()
    document = pypdfium2.PdfDocument(buffer.getvalue())
    image = document[0].render(scale=4).to_pil().convert("L")
    matrix = segno.make_qr(url, error="m", boost_error=False).matrix
    n = len(matrix)
    module = 150 / (n + 2 * pdf.QR_BORDER)
    wrong = 0
    for r in range(n):
        for c in range(n):
            x = (20 + (pdf.QR_BORDER + c + 0.5) * module) * 4
            y = (200 - (180 - (pdf.QR_BORDER + r + 0.5) * module)) * 4
            wrong += (image.getpixel((int(x), int(y))) < 128) != bool(matrix[r][c])
    assert wrong == 0
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [url]
