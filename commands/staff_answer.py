"""What an office needs to answer from the command line without knowing any code: its item
taken by default, and, under `staff show`, the keys `--data` takes in Chinese."""

from __future__ import annotations

from collections.abc import Sequence

from integrations.platform.embedded.errors import StaffError
from integrations.platform.embedded.materials import material_label
from integrations.platform.embedded.views import CaseView
from integrations.platform.labels import Labels
from locales import Translator
from policy.items import ItemDef
from policy.towns import offices_of


def own_item(items: Sequence[ItemDef], office: str | None) -> str:
    """The item of an office that handles one; else ask for `--item`, naming the choices."""
    mine = [d for d in items if office in offices_of(d)]
    if len(mine) == 1:
        return mine[0].code
    names = "、".join(d.name_zh for d in (mine or items))
    raise StaffError("no_item", f"请用 --item 写明答复哪个事项：{names}。")


def answer_help(items: Sequence[ItemDef], view: CaseView) -> list[str]:
    """For each item the office may answer now: the `--data` keys of "done" with their
    Chinese names and the values they take, and the materials a supplement may name."""
    labels = Labels(Translator("zh_CN"))
    tr = labels.tr
    by_code = {d.code: d for d in items}
    lines: list[str] = []
    for state in view.items:
        definition = by_code.get(state.item)
        if state.status != "pending" or definition is None:
            continue
        lines.append(f"答复“{definition.name_zh}”（staff answer {view.case_number} --result …）：")
        if definition.result:
            lines.append("  办结 --result done --data 键=值：")
        for f in definition.result:
            need = "必填" if f.required else "可不填"
            kind = tr(f"web.result_type.{f.type}")
            lines.append(f"    {f.code}=…  {labels.result_field(f.code)}（{kind}，{need}）")
        names = "、".join(material_label(c) for c in view.supplementable)
        lines.append("  需补充 --result supplement --data materials=材料名 --reason 原因")
        lines.append(f"    可写的材料：{names}（多份用逗号分开）")
        lines.append("  不予办理 --result refused --reason 原因")
    return lines
