"""`xxgk train` and `xxgk eval`: the section classifier (extractor/sections/classifier.py).

Registered on the main app by extractor/cli.py (`register(app)`). Heavy modules (spaCy, readers)
are imported inside the commands so that `xxgk --help` stays fast.
"""
from __future__ import annotations

from pathlib import Path

import typer

from .resources import cache_dir, model_dir

# Training reads a source checkout (run from the repository root); the model it makes goes to the
# user's cache unless --out names another folder (--out models/sections replaces the committed one).
_TRAINED_DIR = cache_dir() / "models" / "sections"
_CORPUS_DIR = Path("corpus")
_SHARED_CORPUS = Path("../shared/corpus")
TARGET = 0.95


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        out: Path = typer.Option(_TRAINED_DIR, "--out",
                                 help="模型输出目录（默认在用户缓存目录，会被整体替换；"
                                      "--out models/sections 才会替换仓库中提交的模型）"),
        corpus: Path = typer.Option(_CORPUS_DIR, "--corpus", help="项目自带样本目录（文档旁有 gold JSON；在仓库根目录运行）"),
        shared: Path = typer.Option(_SHARED_CORPUS, "--shared", help="共享语料目录（使用 gold/ 与 synthetic/，不使用 unlabelled/）"),
    ):
        """训练章节分类器（jieba 分词 + spaCy 词袋 textcat），固定随机种子与数据顺序，可重复。"""
        import shutil
        import tempfile

        from .sections import classifier as C
        from .sections import training as T
        from .sections.evaluate import load_documents

        docs = load_documents(corpus, shared)
        if not docs:
            typer.echo("没有找到带 gold 的文档，无法训练", err=True)
            raise typer.Exit(2)
        lds = [d.ld for d in docs]
        examples = T.training_examples(lds)
        model = C.train(examples)
        out = out.resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".sections-", dir=out.parent))
        tmp.chmod(0o755)
        try:
            model.to_disk(tmp, T.training_info(lds, examples))
            if out.exists():
                if not (out / "config.cfg").is_file() and any(out.iterdir()):
                    typer.echo(f"{out} 不是模型目录，拒绝覆盖", err=True)
                    raise typer.Exit(2)
                shutil.rmtree(out)
            tmp.rename(out)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        C.forget(out)
        for d in lds:
            if not d.usable:
                typer.echo(f"未使用 {d.name}：{d.why}")
        used = sum(d.usable for d in lds)
        per = "，".join(f"{k} {v}" for k, v in T.training_info(lds, examples)["per_label"].items())
        typer.echo(f"已训练：{used} 份文档、{len(examples)} 个段落（{per}）")
        typer.echo(f"模型：{C.describe(out)}")
        typer.echo(f"评估这个模型：xxgk eval --model {out}")

    @app.command("eval")
    def eval_cmd(
        strip_headings: bool = typer.Option(False, "--strip-headings",
                                            help="删除标题行后重新划分章节，报告段落准确率（样本内与留一文档外）"),
        held_out: bool = typer.Option(True, "--held-out/--no-held-out",
                                      help="同时报告留一文档外的准确率（每份文档重新训练一次，较慢）"),
        no_tables: bool = typer.Option(False, "--no-tables", help="同时报告连统计表也删除时的准确率（更难）"),
        model: Path = typer.Option(model_dir("sections"), "--model", help="章节分类器目录（默认：随 xxgk 安装的模型）"),
        corpus: Path = typer.Option(_CORPUS_DIR, "--corpus", help="项目自带样本目录"),
        shared: Path = typer.Option(_SHARED_CORPUS, "--shared", help="共享语料目录"),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="列出每个划错的段落"),
    ):
        """评估章节划分：与 gold 比较各文档的章节（key、标题、页码）；--strip-headings 删除标题后评估段落准确率。"""
        from .sections import classifier as C
        from .sections import evaluate as E

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
