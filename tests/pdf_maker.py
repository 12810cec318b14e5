"""Writing small, valid PDFs in tests: text lines per page, no dependency."""

from __future__ import annotations

from collections.abc import Callable


def make_pdf(pages: list[list[str | tuple[str, int]]], title: str | None = None) -> bytes:
    """A minimal, valid PDF: one line of Helvetica (WinAnsi, so å/ä/ö work) per entry, top down.

    A line given as (text, size) is set in that size. An empty page list entry gives a page
    without text, like a scanned page; `title` goes into
    the document information dictionary, where readers find a PDF's own title."""

    def literal(line: str) -> bytes:
        return b"(" + line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    count = len(pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(f'{4 + 2 * i} 0 R' for i in range(count))}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for number, lines in enumerate(pages):
        stream = b"BT /F1 11 Tf 14 TL 56 790 Td\n" + b"".join(_shown(line, literal) for line in lines) + b"ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {5 + 2 * number} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    info = ""
    if title is not None:
        offsets.append(len(out))
        info = f" /Info {len(objects) + 1} 0 R"
        out += b"%d 0 obj\n<< /Title " % (len(objects) + 1) + literal(title) + b" >>\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, info.encode(), xref)
    return bytes(out)


def _shown(line: str | tuple[str, int], literal: Callable[[str], bytes]) -> bytes:
    """One line of a content stream: a line in its own size switches the font size and back."""
    if isinstance(line, str):
        return literal(line) + b" Tj T*\n"
    text, size = line
    return b"/F1 %d Tf " % size + literal(text) + b" Tj T* /F1 11 Tf\n"
