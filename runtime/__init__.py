"""The runtime: the composition root above every package (`services`), the background workers
of a deployment (`workers`), their supervisor and the leader lock that keeps the once-per-
deployment workers to one process (`supervisor`, `leader`)."""
