"""What happens when the process ends without run.end(): everything logged still arrives."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import PYTHON_DIR


def _run_script(code: str, env_extra: dict) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PYTHON_DIR), **env_extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=120)


def test_data_logged_before_exit_arrives_without_end(server_url, client, experiment):
    proc = _run_script(f"""
        import cairn
        run = cairn.init(experiment={experiment!r}, run_name="no-end")
        for i in range(5000):
            run.log_metric("loss", i, step=i)
        run.log_param("epochs", 5)
        run.set_tag("phase", "train")
        print(run.run_id)
    """, {"MLFLOW_TRACKING_URI": server_url})
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.strip()
    got = client.get_run(run_id)
    assert got["info"]["status"] == "FINISHED"
    assert {p["key"]: p["value"] for p in got["data"]["params"]} == {"epochs": "5"}
    assert {t["key"]: t["value"] for t in got["data"]["tags"]}["phase"] == "train"
    assert sorted(m["step"] for m in client.get_metric_history(run_id, "loss")) == list(range(5000))


def test_a_crash_marks_the_run_failed_and_keeps_its_data(server_url, client, experiment):
    proc = _run_script(f"""
        import cairn
        run = cairn.init(experiment={experiment!r})
        print(run.run_id, flush=True)
        run.log_metric("before_crash", 1.0)
        raise ValueError("training diverged")
    """, {"MLFLOW_TRACKING_URI": server_url})
    assert proc.returncode == 1
    run_id = proc.stdout.strip()
    got = client.get_run(run_id)
    assert got["info"]["status"] == "FAILED"
    assert [m["key"] for m in got["data"]["metrics"]] == ["before_crash"]


def test_exit_leaves_an_attached_job_run_to_its_owner(server_url, client, experiment):
    import cairn
    from cairn import tracking

    owner = cairn.start_run(experiment=experiment, tracking_uri=server_url)
    tracking._forget(owner)
    proc = _run_script("""
        import cairn
        run = cairn.start_run()
        run.log_metric("from_job", 42.0)
    """, {"MLFLOW_TRACKING_URI": server_url, "MLFLOW_RUN_ID": owner.run_id,
          "MLFLOW_EXPERIMENT_ID": owner.experiment_id})
    assert proc.returncode == 0, proc.stderr
    got = client.get_run(owner.run_id)
    assert got["info"]["status"] == "RUNNING"
    assert [m["value"] for m in got["data"]["metrics"]] == [42.0]
    owner._sender.close()
