"""`xxgk eval`: the section split measured against the gold corpus (extractor/sections/evaluate.py).
spaCy and the readers are imported inside the verb, so `xxgk --help` stays fast."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..resources import model_dir
from .options import CORPUS_DIR, SHARED_CORPUS, Corpus, Shared

TARGET = 0.95  # paragraph accuracy, real + synthetic documents, headings deleted


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def evaluate(
    strip_headings: Annotated[bool, typer.Option(
        "--strip-headings", help="删除标题行后重新划分章节，报告段落准确率（样本内与留一文档外）")] = False,
    held_out: Annotated[bool, typer.Option(
        "--held-out/--no-held-out", help="同时报告留一文档外的准确率（每份文档重新训练一次，较慢）")] = True,
    no_tables: Annotated[bool, typer.Option("--no-tables", help="同时报告连统计表也删除时的准确率（更难）")] = False,
    model: Annotated[Path, typer.Option("--model", help="章节分类器目录（默认：随 xxgk 安装的模型）")] = model_dir("sections"),
    corpus: Corpus = CORPUS_DIR,
    shared: Shared = SHARED_CORPUS,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="列出每个划错的段落")] = False,
):
    """评估章节划分：与 gold 比较各文档的章节（key、标题、页码）；--strip-headings 删除标题后评估段落准确率。"""
    from ..sections import classifier as C
    from ..sections import evaluate as E

    docs = E.load_documents(corpus, shared)
    if not docs:
        typer.echo("没有找到带 gold 的文档", err=True)
        raise typer.Exit(2)
    m = C.get_model(model)
    if m is None:
        typer.echo(f"没有可用的分类器：{model}（先运行 xxgk train）；以下结果仅用标题规则", err=True)
    else:
        typer.echo(f"评估的模型：{C.describe(model)}")
    ok = True
    if not strip_headings:
        n_right = n_total = n_same = 0
        for d, have, want in E.section_results(docs, model=m):
            right = sum(1 for a, b in zip(have, want) if a == b)
            n_right += right
            n_total += max(len(have), len(want))
            same = have == want
            ok &= same
            n_same += same
            mark = "✓" if same else "✗"
            typer.echo(f"{mark} {d.ld.group:9s} {d.ld.name}：{right}/{len(want)} 个章节一致")
            if not same and verbose:
                typer.echo(f"    得到 {have}\n    gold {want}")
        typer.echo(f"章节准确率：{n_right}/{n_total}（{_pct(n_right / n_total if n_total else 1)}），"
                   f"{n_same}/{len(docs)} 份文档完全一致")
        raise typer.Exit(0 if ok else 1)

    def show(title: str, results) -> float:
        s = E.summarise(results)
        parts = [f"{g} {v['right']}/{v['total']}（{_pct(v['accuracy'])}）" for g, v in s.items()
                 if v["total"] and g != "all"]
        typer.echo(f"{title}：" + "；".join(parts))
        if verbose:
            for r in results:
                for text, want, got in r.wrong:
                    typer.echo(f"    {r.name}：{text}… 应为 {want}，得到 {got}")
        return s["real+synthetic"]["accuracy"]

    settings = (True, False) if no_tables else (True,)
    acc = show("删除标题（样本内，已提交模型）", E.stripped_in_sample(docs, m))
    if no_tables:
        show("删除标题和统计表（样本内）", E.stripped_in_sample(docs, m, tables=False))
    if held_out:
        typer.echo(f"留一文档外：每份文档用其余 {len(docs) - 1} 份重新训练……")
        res = E.stripped_held_out(docs, tables=settings)
        acc = min(acc, show("删除标题（留一文档外）", res[True]))
        if no_tables:
            show("删除标题和统计表（留一文档外）", res[False])
    ok = acc >= TARGET
    typer.echo(f"目标：真实+合成文档段落准确率 ≥ {_pct(TARGET)}：{'达到' if ok else '未达到'}")
    raise typer.Exit(0 if ok else 1)
