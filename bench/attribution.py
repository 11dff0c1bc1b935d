"""Quote attribution measured on PolNeAR (see ../shared/data/polnear/README.md).

    .venv/bin/python bench/attribution.py [--split dev|train] [--write]

Gold attributions are paired with at most one predicted quote by content overlap
(|gold ∩ pred| / |gold| >= 0.3, and 0.8 for the strict figure); precision, recall and F1 of
content over those pairs; source (cue) accuracy = share of matched pairs whose predicted source
(cue) span overlaps the gold one. "Quoted" attributions are those whose content holds at least
two quotation marks; they are judged against the quotations the engine finds (DIRECT, PARTIAL).
A matched pair where neither the gold attribution nor the prediction has a source (an
Attribution-no-source) counts as a correct source; likewise for cues (1 pair of 557 on dev).
Only figures and error counts are printed or written: never corpus text. `--write` runs dev and
train and records both in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.parsing import parse_article  # noqa: E402
from service.parsing.quotes import extract_quotes  # noqa: E402
from service.parsing.records import QuoteKind, QuoteRecord  # noqa: E402

DATA = Path(os.environ.get("POLNEAR_DIR", ROOT.parent / "shared" / "data" / "polnear"))
BENCHMARKS = ROOT / "BENCHMARKS.md"
START, END = "<!-- attribution:start -->", "<!-- attribution:end -->"
QUOTATION_MARKS = re.compile('[\u201c\u201d"\u00ab\u00bb]')
THRESHOLDS = (0.3, 0.8)
# Read off the error kinds on train; written under the tables by --write.
LIMITS = (
    'Rules, not a parser: a cue is a verb from the lexicon (or a phrase such as "put it", '
    '"shot back", "issued a statement") beside a noun phrase. Attributions whose cue is a '
    'noun or an idiom ("her claim that ...", "in the mayor\'s view", "took aim at", a '
    'survey that "finds") get no source or cue.',
    'Nesting: where one report holds another ("A said that B called it \'x\'", "according '
    'to a paper, A said"), PolNeAR annotates one level, not always the same one; the engine '
    'takes the outer speech verb, or the nearest cue sharing its subject ("..., adding").',
    "Clause bounds: a partial quotation's content is its reported clause, ended by heuristics "
    "(a participle, the sentence end), so the overlap with PolNeAR's content can fall under "
    '0.3 ("missed: overlap too small"), or one clause can hold two gold attributions.',
    "Annotation: quotations PolNeAR leaves unannotated (titles, slogans, words quoted in the "
    "writer's voice) count as spurious, and a few gold pairs swap source and cue (5 on dev).",
    "Sources two or more sentences away, people named once without a title or given name, and "
    "mis-encoded names are resolved by pronoun and surname rules that miss some.",
)
BEFORE = (
    "Before this round (commit dd1bc5d), dev quoted@0.3: P 0.902, R 0.886, F1 0.894, "
    "source 0.788, cue 0.762; train: F1 0.887, source 0.832, cue 0.814."
)

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Gold:
    content: Spans
    source: Spans
    cue: Spans
    quoted: bool


@dataclass(frozen=True, slots=True)
class Predicted:
    content: Spans
    source: Spans
    cue: Spans
    quoted: bool


@dataclass(slots=True)
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    source_ok: int = 0
    cue_ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)

    def figures(self) -> dict[str, float]:
        p = self.matched / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        m = self.matched or 1
        return {"P": p, "R": r, "F1": f, "source": self.source_ok / m, "cue": self.cue_ok / m}


def _spans(items: Iterable[dict[str, object]]) -> Spans:
    return tuple((int(str(s["start"])), int(str(s["end"]))) for s in items)


def _size(spans: Spans) -> int:
    return sum(e - s for s, e in spans)


def _intersection(a: Spans, b: Spans) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _overlaps(a: Spans, b: Spans) -> bool:
    return _intersection(a, b) > 0


def gold_of(article: dict[str, object]) -> list[Gold]:
    found: list[Gold] = []
    attributions = article["attributions"]
    assert isinstance(attributions, list)
    for a in attributions:
        content = _spans(a["content"])
        text = "".join(str(s["text"]) for s in a["content"])
        quoted = len(QUOTATION_MARKS.findall(text)) >= 2
        found.append(Gold(content, _spans(a["source"]), _spans(a["cue"]), quoted))
    return found


def predicted_of(quotes: Sequence[QuoteRecord]) -> list[Predicted]:
    out: list[Predicted] = []
    for q in quotes:
        if q.context is not None:  # a partial quote's reported clause is its content
            content: Spans = ((q.context.start, q.context.end),)
        else:
            content = tuple((p.start, p.end) for p in q.parts) or ((q.span.start, q.span.end),)
        source = ((q.source.start, q.source.end),) if q.source else ()
        cue = ((q.cue.start, q.cue.end),) if q.cue else ()
        found = Predicted(content, source, cue, q.kind is not QuoteKind.INDIRECT)
        if found not in out:  # two partial quotes of one reported clause are one attribution
            out.append(found)
    return out


def score(gold: list[Gold], pred: list[Predicted], threshold: float, into: Score) -> None:
    into.gold += len(gold)
    into.predicted += len(pred)
    pairs = []
    for gi, g in enumerate(gold):
        size = _size(g.content) or 1
        for pi, p in enumerate(pred):
            ratio = _intersection(g.content, p.content) / size
            if ratio > 0:
                pairs.append((ratio, gi, pi))
    pairs.sort(reverse=True)
    gold_done: set[int] = set()
    pred_done: set[int] = set()
    for ratio, gi, pi in pairs:
        if ratio < threshold or gi in gold_done or pi in pred_done:
            continue
        gold_done.add(gi)
        pred_done.add(pi)
        into.matched += 1
        g, p = gold[gi], pred[pi]
        if (not g.source and not p.source) or _overlaps(g.source, p.source):
            into.source_ok += 1
        else:
            into.errors[
                "source: none predicted"
                if not p.source
                else "source: another mention"
                if g.source
                else "source: gold has none"
            ] += 1
        if (not g.cue and not p.cue) or _overlaps(g.cue, p.cue):
            into.cue_ok += 1
        else:
            into.errors["cue: none predicted" if not p.cue else "cue: another word"] += 1
    touched = {gi for _, gi, _ in pairs}
    for gi in range(len(gold)):
        if gi not in gold_done:
            into.errors["missed: no overlapping prediction" if gi not in touched else "missed: overlap too small"] += 1
    touched_pred = {pi for _, _, pi in pairs}
    for pi in range(len(pred)):
        if pi not in pred_done:
            into.errors[
                "spurious: no gold attribution"
                if pi not in touched_pred
                else "spurious: content overlaps a gold it cannot pair with"
            ] += 1


@dataclass(frozen=True, slots=True)
class Result:
    split: str
    figures: dict[str, dict[str, float]]
    errors: Counter[str]
    articles: int
    rate: float  # extract_quotes, articles per wall-clock second
    cpu_rate: float  # extract_quotes, articles per CPU second
    full_rate: float  # parse_article (quotes, speakers, countries, agreements), wall clock


def run(split: str) -> Result | None:
    path = DATA / f"{split}.jsonl"
    if not path.exists():
        print(f"skipped: {path} is absent (PolNeAR is read from ../shared/data/polnear/)")
        return None
    articles = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [str(a["text"]) for a in articles]
    began, cpu = time.perf_counter(), time.process_time()
    outputs = [extract_quotes(text)[0] for text in texts]
    elapsed, cpu_elapsed = time.perf_counter() - began, time.process_time() - cpu
    began = time.perf_counter()
    for text in texts:
        parse_article(text)
    full_elapsed = time.perf_counter() - began
    scores = {f"quoted@{t}": Score() for t in THRESHOLDS} | {f"all@{t}": Score() for t in THRESHOLDS}
    for article, quotes in zip(articles, outputs, strict=True):
        gold = gold_of(article)
        pred = predicted_of(quotes)
        for t in THRESHOLDS:
            score([g for g in gold if g.quoted], [p for p in pred if p.quoted], t, scores[f"quoted@{t}"])
            score(gold, pred, t, scores[f"all@{t}"])
    figures = {name: s.figures() for name, s in scores.items()}
    n = len(articles)
    return Result(
        split, figures, scores["quoted@0.3"].errors, n, n / elapsed, n / max(cpu_elapsed, 1e-9), n / full_elapsed
    )


def table(result: Result) -> str:
    split = result.split
    lines = [
        f"PolNeAR {split} ({result.articles} articles), "
        f"`.venv/bin/python bench/attribution.py --split {split}`: extract_quotes "
        f"{result.rate:.0f} articles/s wall clock ({result.cpu_rate:.0f} per CPU second), "
        f"parse_article end to end {result.full_rate:.0f} articles/s, one process.",
        "",
        "| attributions | overlap | P | R | F1 | source acc. | cue acc. |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, f in result.figures.items():
        subset, threshold = name.split("@")
        lines.append(
            f"| {subset} | {threshold} | {f['P']:.3f} | {f['R']:.3f} | {f['F1']:.3f} |"
            f" {f['source']:.3f} | {f['cue']:.3f} |"
        )
    return "\n".join(lines)


def error_table(results: list[Result]) -> str:
    kinds = sorted({k for r in results for k in r.errors}, key=lambda k: -results[0].errors[k])
    lines = [
        "Error kinds, quoted attributions at overlap 0.3 (counts):",
        "",
        "| kind | " + " | ".join(r.split for r in results) + " |",
        "| --- |" + " --- |" * len(results),
    ]
    for kind in kinds:
        lines.append(f"| {kind} | " + " | ".join(str(r.errors[kind]) for r in results) + " |")
    return "\n".join(lines)


def write(sections: list[str]) -> None:
    body = "\n\n".join(["## Quote attribution (PolNeAR)", *sections])
    block = f"{START}\n{body}\n{END}"
    current = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        _, tail = rest.split(END, 1)
        updated = head + block + tail
    else:
        updated = current.rstrip("\n") + "\n\n" + block + "\n"
    BENCHMARKS.write_text(updated, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--write", action="store_true", help="run dev and train and record both in BENCHMARKS.md")
    args = parser.parse_args(argv)
    results: list[Result] = []
    for split in ("dev", "train") if args.write else (args.split,):
        result = run(split)
        if result is None:
            return 0
        results.append(result)
        print(table(result))
        print("\ncommonest errors (quoted attributions, overlap 0.3):")
        for kind, count in result.errors.most_common(10):
            print(f"  {count:5d}  {kind}")
        print()
    if args.write:
        limits = "What limits the numbers:\n\n" + "\n".join(f"- {line}" for line in LIMITS)
        write([*(table(r) for r in results), BEFORE, error_table(results), limits])
        print(f"written to {BENCHMARKS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
