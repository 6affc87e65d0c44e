"""Speed and memory benchmarks; each figure is printed with its baseline measured in the same run.

    python bench/run.py [--questions 5000] [--rounds 5]

1. Engine: N questions through the engine `ipbot ask` and the bot answer with (TaughtEngine: the
   knowledge files plus what staff taught, here nothing), and segmentation alone of the same questions by
   rjieba (the engine's segmenter, HMM off as the engine cuts). No target: the figures say what a question
   costs and how much of it is segmentation. The questions are the dev set's (../shared/eval) and the
   knowledge base's phrasings, padded as in chat. Engine and segmentation alternate in chunks, CPU time is
   measured, and the median of the rounds' ratios is reported.
2. Cold start: `ipbot ask "..."` (one question, no database: an empty folder, IPBOT_DATABASE_URL unset) as a
   new process vs a new process that imports rjieba and segments one line
   (`python -c "import rjieba; rjieba.cut(...)"`), alternating, the median of each over the rounds.
   Target ratio <= 2.
3. Memory: resident set size of `ipbot chat` after it has loaded and answered one question, and its peak.
   Target: peak <= 300 MB (with the learned signal; its classifier is loaded from the cache folder when kept,
   fitted with scikit-learn otherwise, which the first start after a change pays).
Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILLERS_BEFORE = ["", "", "请问", "你好，", "想咨询一下，", "我们公司", "麻烦问下", "老师好，", "您好！我想问问",
                  "我是精河县的，", "博乐这边", "打扰一下，", "有个问题：", "同事让我问下，"]
FILLERS_AFTER = ["", "", "？", "，谢谢", "，急", "呢", "啊？？", "，在线等", "。多谢！", "，麻烦告诉我", "😊",
                 "，具体怎么弄", "?", "！！"]


DEV_SET = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
CHUNK = 250


def benchmark_questions(count: int, seed: int = 11) -> tuple[list[str], str]:
    """N distinct questions: the dev set's (when it is beside the project) and the knowledge base's own
    phrasings, each padded the way people write in chat. Distinct, so that nothing a component
    remembers between questions flatters the figure more than real traffic would."""
    import json

    from knowledge import loader

    kb = loader.load()
    seeds = [p for e in kb.entries for p in (e.question, *e.alternates)]
    source = "knowledge-base phrasings"
    if DEV_SET.exists():
        seeds += [json.loads(line)["q"] for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
        source = "dev-set questions and knowledge-base phrasings"
    rng = random.Random(seed)
    questions: dict[str, None] = {}
    while len(questions) < count:
        q = rng.choice(FILLERS_BEFORE) + rng.choice(seeds) + rng.choice(FILLERS_AFTER)
        questions.setdefault(q, None)
    return list(questions), f"{count} distinct questions from {source}, padded as in chat"


def bench_engine(count: int, rounds: int) -> float:
    from knowledge.overlay import Overlay
    from knowledge.segment import Segmenter
    from knowledge.service import KnowledgeService

    class NothingTaught:
        def version(self) -> int:
            return 0

        def load(self, kb: object) -> Overlay:
            return Overlay()

    engine = KnowledgeService(overlay=NothingTaught()).engine
    segmenter = Segmenter()  # jieba's default dictionary, as rjieba cuts it for the engine
    questions, source = benchmark_questions(count)
    for q in questions[:500]:  # warm both sides
        engine.search(q)
        segmenter.words(q)
    ratios, engine_total, segment_total = [], 0.0, 0.0
    for _ in range(rounds):
        engine_time = segment_time = 0.0
        for at in range(0, len(questions), CHUNK):
            chunk = questions[at:at + CHUNK]
            start = time.process_time()
            for q in chunk:
                segmenter.words(q)
            segment_time += time.process_time() - start
            start = time.process_time()
            for q in chunk:
                engine.search(q)
            engine_time += time.process_time() - start
        ratios.append(engine_time / segment_time)
        engine_total += engine_time
        segment_total += segment_time
    ratio = statistics.median(ratios)
    per = 1e6 / (count * rounds)
    print(f"engine ({type(engine).__name__}): {source}, {rounds} rounds; "
          f"engine {engine_total * per:.0f} µs a question, "
          f"rjieba segmentation alone {segment_total * per:.0f} µs; ratio {ratio:.2f} "
          f"(rounds {min(ratios):.2f}–{max(ratios):.2f}; no target)")
    return ratio


def _ipbot() -> str:
    script = Path(sys.executable).with_name("ipbot")
    return str(script) if script.exists() else shutil.which("ipbot") or "ipbot"


def _time_command(args: list[str], cwd: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds: user + system) of one run of a command as a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=cwd, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


COLD_QUESTION = "商标到期了怎么续展"


def bench_cold_start(rounds: int) -> float:
    """`ipbot ask` with one question and no database, against a process that imports rjieba and segments one
    line; both are new processes with the same interpreter, timed alternately. The target is on wall-clock
    time (what a user waits); CPU time (user + system) is printed too: on a busy machine it moves less."""
    env = {k: v for k, v in os.environ.items() if k != "IPBOT_DATABASE_URL"}
    with tempfile.TemporaryDirectory() as cwd:
        baseline_cmd = [sys.executable, "-c", f"import rjieba; rjieba.cut({COLD_QUESTION!r})"]
        ask_cmd = [_ipbot(), "ask", COLD_QUESTION]
        _time_command(baseline_cmd, cwd, env)  # warm the file cache, outside the timing
        _time_command(ask_cmd, cwd, env)
        baseline, ask = [], []
        for _ in range(rounds):
            baseline.append(_time_command(baseline_cmd, cwd, env))
            ask.append(_time_command(ask_cmd, cwd, env))
        if list(Path(cwd).iterdir()):
            raise RuntimeError(f"ipbot ask left files behind (a database?): {sorted(Path(cwd).iterdir())}")
    wall_b, wall_a = statistics.median(w for w, _c in baseline), statistics.median(w for w, _c in ask)
    cpu_b, cpu_a = statistics.median(c for _w, c in baseline), statistics.median(c for _w, c in ask)
    ratio = wall_a / wall_b
    per_round = [a[0] / b[0] for a, b in zip(ask, baseline, strict=True)]
    print(f"cold start: ipbot ask (one question, no database) {wall_a * 1000:.0f} ms; "
          f"import rjieba + segment one line {wall_b * 1000:.0f} ms; ratio {ratio:.2f} "
          f"(medians of {rounds} rounds; rounds {min(per_round):.2f}–{max(per_round):.2f}; target <= 2); "
          f"CPU {cpu_a * 1000:.0f} ms vs {cpu_b * 1000:.0f} ms, ratio {cpu_a / cpu_b:.2f}")
    return ratio


def _read_until(proc: subprocess.Popen[bytes], marker: bytes, timeout: float) -> bytes:
    assert proc.stdout is not None
    data = b""
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while marker not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no {marker!r} from ipbot chat; got {data[-300:]!r}")
        ready, _w, _x = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError(f"ipbot chat ended early: {data[-300:]!r}")
            data += chunk
    return data


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS) or at its peak so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


PEAK_TARGET_MB = 300  # issue #21: peak resident memory with the learned signal


def bench_memory() -> float:
    with tempfile.TemporaryDirectory() as cwd:
        env = {k: v for k, v in os.environ.items() if k != "IPBOT_DATABASE_URL"}
        proc = subprocess.Popen([_ipbot(), "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=cwd, env=env)
        assert proc.stdin is not None
        try:
            _read_until(proc, b"[3] ", 60)  # the greeting with its buttons: everything is loaded
            proc.stdin.write("专利质押登记要准备哪些材料\n".encode())
            proc.stdin.flush()
            _read_until(proc, "依据".encode(), 30)
            rss, peak = _rss_mb(proc.pid), _rss_mb(proc.pid, "VmHWM")
        finally:
            proc.stdin.close()
            proc.wait(timeout=30)
    print(f"memory: ipbot chat resident {rss:.0f} MB after loading and one answer, peak {peak:.0f} MB "
          f"(target: peak <= {PEAK_TARGET_MB} MB)")
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    bench_engine(args.questions, args.rounds)
    ok = bench_cold_start(args.rounds) <= 2
    ok &= bench_memory() <= PEAK_TARGET_MB
    print("all targets met" if ok else "A TARGET WAS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
