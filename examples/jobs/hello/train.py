"""A toy training script: logs a param and a loss curve to the job's run through mlflow.

Inside a Cairn job, MLFLOW_TRACKING_URI and MLFLOW_RUN_ID point at the job's own run, so
mlflow.start_run() attaches to it with no configuration.
"""

import argparse
import os

import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--C", type=float, default=1.0)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--model-dir", default="outputs")
args = parser.parse_args()

with mlflow.start_run():
    mlflow.log_param("C", args.C)
    loss = 1.0
    for epoch in range(args.epochs):
        loss = loss * 0.5 + 0.01 * args.C
        mlflow.log_metric("loss", loss, step=epoch)
        print(f"epoch {epoch}: C={args.C} loss={loss:.4f}", flush=True)

os.makedirs(args.model_dir, exist_ok=True)
with open(os.path.join(args.model_dir, "model.txt"), "w") as f:
    f.write(f"C={args.C} loss={loss}\n")
print("done", flush=True)
