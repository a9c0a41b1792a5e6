"""The `zerograd` command end to end, on tiny settings."""
import csv
import json
import os
import subprocess
import sys

import pytest

from zerograd.cli import build_parser, main

TINY = ["--steps", "12", "--batch-size", "8", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
        "--eval-every", "4", "--eval-batches", "2", "--checkpoint-every", "4", "--num-samples", "5",
        "--warmup", "3", "--quiet"]


def run_cli(*argv):
    """The installed entry point, in a subprocess: (exit code, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-m", "zerograd", *argv], capture_output=True, text=True,
                       timeout=300, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("cmd", [[], ["train"], ["sample"], ["demo"], ["gradcheck"], ["bench"]])
def test_help(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        main(cmd + ["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: zerograd")
    if cmd == ["train"]:
        for flag in ("--steps", "--batch-size", "--block-size", "--n-layer", "--n-head", "--n-embd",
                     "--lr", "--seed", "--eval-every", "--out", "--resume", "--data", "--task"):
            assert flag in out


def test_train_writes_all_outputs_and_samples(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", *TINY, "--out", str(out)]) == 0
    for f in ("model.safetensors", "optimizer.safetensors", "config.json", "log.csv", "samples.txt"):
        assert (out / f).exists(), f
    rows = list(csv.DictReader(open(out / "log.csv")))
    assert [r["step"] for r in rows] == ["4", "8", "12"]
    assert len((out / "samples.txt").read_text().splitlines()) == 5
    text = capsys.readouterr().out
    assert "samples:" in text and "novel (not in the training set)" in text
    try:
        import matplotlib  # noqa: F401
        assert (out / "loss.png").exists()
    except ImportError:
        pass


def test_resume_reproduces_an_uninterrupted_run(tmp_path):
    from zerograd.models.train import train
    full, part = tmp_path / "full", tmp_path / "part"
    train(build_parser().parse_args(["train", *TINY, "--out", str(full)]))
    args = build_parser().parse_args(["train", *TINY, "--out", str(part)])
    args.stop_after = 8                               # as if Ctrl-C came after step 8
    summary = train(args)
    assert summary["interrupted"]
    assert json.load(open(part / "config.json"))["step"] == 8
    train(build_parser().parse_args(["train", *TINY, "--out", str(part), "--resume"]))
    a = list(csv.DictReader(open(full / "log.csv")))
    b = list(csv.DictReader(open(part / "log.csv")))
    assert [(r["step"], r["loss"], r["train_loss"], r["val_loss"]) for r in a] == \
           [(r["step"], r["loss"], r["train_loss"], r["val_loss"]) for r in b]


def test_sample_from_trained_model(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", *TINY, "--out", str(out)])
    capsys.readouterr()
    assert main(["sample", "--out", str(out), "-n", "4", "--temperature", "0.8", "--top-k", "5",
                 "--prompt", "ma"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(line.startswith("ma") for line in lines)


def test_train_on_own_data_file(tmp_path):
    data = tmp_path / "words.txt"
    data.write_text("alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\neta\ntheta\n")
    assert main(["train", *TINY, "--data", str(data), "--out", str(tmp_path / "r")]) == 0
    meta = json.load(open(tmp_path / "r" / "config.json"))
    assert meta["vocab"].startswith(".") and "z" in meta["vocab"]


def test_train_running_text(tmp_path):
    data = tmp_path / "story.txt"
    data.write_text("the quick brown fox jumps over the lazy dog. " * 20)
    assert main(["train", *TINY, "--data", str(data), "--text", "--block-size", "16",
                 "--out", str(tmp_path / "r")]) == 0


# ----- bad input: one line, exit code 2, no partial files ---------------------------------------

@pytest.mark.parametrize("case", ["missing-data", "empty-data", "bad-heads", "out-not-dir",
                                  "resume-nothing", "bad-steps"])
def test_bad_input_exit_2_one_line_no_files(tmp_path, case):
    out = tmp_path / "out"
    if case == "missing-data":
        argv = ["train", *TINY, "--data", str(tmp_path / "nope.txt"), "--out", str(out)]
    elif case == "empty-data":
        (tmp_path / "empty.txt").write_text("\n\n")
        argv = ["train", *TINY, "--data", str(tmp_path / "empty.txt"), "--out", str(out)]
    elif case == "bad-heads":
        argv = ["train", "--n-embd", "30", "--n-head", "4", "--out", str(out)]
    elif case == "out-not-dir":
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "sub"
        argv = ["train", *TINY, "--out", str(out)]
    elif case == "resume-nothing":
        argv = ["train", *TINY, "--resume", "--out", str(out)]
    else:
        argv = ["train", "--steps", "-3", "--out", str(out)]
    code, stdout, stderr = run_cli(*argv)
    assert code == 2, (stdout, stderr)
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines and ("error" in lines[-1])
    if case != "bad-steps":
        assert len(lines) == 1, stderr
    if case != "resume-nothing":
        assert not out.exists() or not any(out.iterdir())


def test_resume_with_different_config_is_refused(tmp_path):
    out = tmp_path / "run"
    main(["train", *TINY, "--out", str(out)])
    code, _, stderr = run_cli("train", *TINY, "--n-embd", "32", "--resume", "--out", str(out))
    assert code == 2 and "different model" in stderr


def test_sample_prompt_with_unknown_characters(tmp_path):
    out = tmp_path / "run"
    main(["train", *TINY, "--out", str(out)])
    code, _, stderr = run_cli("sample", "--out", str(out), "--prompt", "Zö!")
    assert code == 2 and "not in the model's vocabulary" in stderr


def test_sample_without_model(tmp_path):
    code, _, stderr = run_cli("sample", "--out", str(tmp_path / "none"))
    assert code == 2 and "zerograd train" in stderr


# ----- the other subcommands ----------------------------------------------------------------------

def test_digits_task(tmp_path, capsys):
    assert main(["train", "--task", "digits", "--epochs", "3", "--out", str(tmp_path / "d"),
                 "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "confusion matrix" in text and "final test accuracy" in text
    acc = float(text.split("final test accuracy ")[1].split("%")[0])
    assert acc > 80.0


def test_demo_runs(capsys):
    assert main(["demo"]) == 0
    text = capsys.readouterr().out
    assert "AddBackward0" in text and "autograd == hand-derived: True" in text
    assert "计算图" in text and "inference_mode" in text


def test_gradcheck_subcommand(capsys):
    assert main(["gradcheck", "--fast"]) == 0
    text = capsys.readouterr().out
    assert "0 failed" in text and "ops of the op table" in text
