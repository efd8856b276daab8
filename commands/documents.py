"""`python main.py docs ...`: the reform's documents, always drawn from the running rules.

docs flowchart [--check]   redraw docs/flowchart-*.png from the transitions tables
docs guide [--check]       rewrite docs/service-guide.md from the items and materials data
docs form|guide-pdf --out P  write the blank application form / the guide as a PDF
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "docs", help="流程图、服务指南、申请表 · flowchart, service guide, application form"
    )
    sub = parser.add_subparsers(dest="docs_command", required=True, metavar="ACTION")
    flow = sub.add_parser("flowchart", help="redraw docs/flowchart-*.png from the tables")
    flow.add_argument("--check", action="store_true", help="exit 1 if a drawing is stale")
    flow.set_defaults(func=run_flowchart)
    guide = sub.add_parser("guide", help="rewrite docs/service-guide.md")
    guide.add_argument("--check", action="store_true", help="exit 1 if the guide is stale")
    guide.set_defaults(func=run_guide)
    form = sub.add_parser("form", help="write the blank application form as a PDF")
    form.add_argument("--out", type=Path, default=Path("data/application-form.pdf"))
    form.set_defaults(func=run_form)
    pdf = sub.add_parser("guide-pdf", help="write the service guide as a PDF")
    pdf.add_argument("--out", type=Path, default=Path("data/service-guide.pdf"))
    pdf.set_defaults(func=run_guide_pdf)


def run_flowchart(args: argparse.Namespace) -> int:
    from documents import flowchart

    if args.check:
        stale = flowchart.stale()
        for name in stale:
            print(f"stale: docs/flowchart-{name}.png (run: python main.py docs flowchart)")
        return 1 if stale else 0
    for path in flowchart.write_all():
        print(f"wrote {path}")
    return 0


def _contacts() -> tuple[str, ...]:
    from aftercare.region import region_texts
    from app.settings import load_settings
    from locales import Translator

    return region_texts(Translator("zh_CN"), load_settings().service.region).contacts


def run_guide(args: argparse.Namespace) -> int:
    from documents import service_guide
    from locales import Translator

    if args.check:
        tr = Translator("zh_CN")
        current = service_guide.render_markdown(service_guide.guide(tr, _contacts()), tr)
        same = service_guide.DOC.exists() and service_guide.DOC.read_text("utf-8") == current
        print("up to date" if same else "stale: run python main.py docs guide")
        return 0 if same else 1
    print(f"wrote {service_guide.write_markdown(_contacts())}")
    return 0


def run_form(args: argparse.Namespace) -> int:
    from aftercare.documents import blank_form

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blank_form())
    print(f"wrote {args.out}")
    return 0


def run_guide_pdf(args: argparse.Namespace) -> int:
    from aftercare.documents import guide_pdf

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(guide_pdf())
    print(f"wrote {args.out}")
    return 0
