"""Running the extract and flag stages over a corpus in fixed partitions: streamed from and to
disk, in one process, a local process pool or a Dask cluster, with the same output bytes."""
