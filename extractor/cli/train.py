"""`xxgk train`: the section classifier (extractor/sections/classifier.py), trained on the gold
corpus. spaCy and the readers are imported inside the verb, so `xxgk --help` stays fast."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..resources import cache_dir
from .options import CORPUS_DIR, SHARED_CORPUS, Corpus, Shared

# The model goes to the user's cache unless --out names another folder (--out models/sections
# replaces the committed one).
TRAINED_DIR = cache_dir() / "models" / "sections"


def train(
    out: Annotated[Path, typer.Option(
        "--out", help="模型输出目录（默认在用户缓存目录，会被整体替换；--out models/sections 才会替换仓库中提交的模型）")
    ] = TRAINED_DIR,
    corpus: Corpus = CORPUS_DIR,
    shared: Shared = SHARED_CORPUS,
):
    """训练章节分类器（jieba 分词 + spaCy 词袋 textcat），固定随机种子与数据顺序，可重复。"""
    import shutil
    import tempfile

    from ..sections import classifier as C
    from ..sections import training as T
    from ..sections.evaluate import load_documents

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
