"""Time the print-ready PDF posters of a unit with 10 counters (A4 and A5), and its size.

    python -m bench.posters

Goal (issue 12): a unit's poster PDF with 10 counters in ≤ 1 s.
"""

import statistics
import time

from app.surveys.poster_pdf import posters_pdf
from app.surveys.qr import PosterCounter, PosterSet, qr_svg

BASE = "https://khaosat.haiphong.gov.vn/s/"


def main() -> None:
    counters = [
        PosterCounter(f"Quầy {n} – Đất đai, xây dựng", BASE + f"q{n:02d}-10507", qr_svg(BASE))
        for n in range(1, 11)
    ]
    posters = PosterSet("Ủy ban nhân dân phường Thành Đông", counters)
    posters_pdf(posters, "a4")  # fonts registered once per process
    for size in ("a4", "a5"):
        times = []
        for _ in range(7):
            started = time.perf_counter()
            pdf = posters_pdf(posters, size)
            times.append(time.perf_counter() - started)
        print(f"posters.pdf, 10 counters, {size.upper()}: median {statistics.median(times):.3f} s "
              f"(max {max(times):.3f} s), {len(pdf) / 1024:.0f} KB")  # fmt: skip
    started = time.perf_counter()
    posters_pdf(PosterSet("x", counters[:1]), "a4")
    print(f"one poster: {time.perf_counter() - started:.3f} s")


if __name__ == "__main__":
    main()
