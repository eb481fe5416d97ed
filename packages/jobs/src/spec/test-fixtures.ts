/** azureml-examples cli/jobs/single-step/scikit-learn/iris/job.yml, verbatim. */
export const IRIS_JOB = `$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json
code: src
command: >-
  python main.py 
  --iris-csv \${{inputs.iris_csv}}
  --C \${{inputs.C}}
  --kernel \${{inputs.kernel}}
  --coef0 \${{inputs.coef0}}
inputs:
  iris_csv: 
    path: wasbs://datasets@azuremlexamples.blob.core.windows.net/iris.csv
  C: 0.8
  kernel: "rbf"
  coef0: 0.1
environment: azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu:9
compute: azureml:cpu-cluster
display_name: sklearn-iris-example
experiment_name: sklearn-iris-example
description: Train a scikit-learn SVM on the Iris dataset.
`;

/** azureml-examples cli/jobs/basics/hello-sweep.yml, verbatim. */
export const HELLO_SWEEP = `$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
type: sweep
trial:
  command: >-
    python hello-sweep.py
    --A \${{inputs.A}}
    --B \${{search_space.B}}
    --C \${{search_space.C}}
  code: src
  environment: azureml:sklearn-1.0@latest
inputs:
  A: 0.5
sampling_algorithm: random
search_space:
  B:
    type: choice
    values: ["hello", "world", "hello_world"]
  C:
    type: uniform
    min_value: 0.1
    max_value: 1.0
objective:
  goal: minimize
  primary_metric: random_metric
limits:
  max_total_trials: 4
  max_concurrent_trials: 2
  timeout: 3600
display_name: hello-sweep-example
experiment_name: hello-sweep-example
description: Hello sweep job example.
`;
