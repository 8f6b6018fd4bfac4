"""The driver: one pipeline from files or an index to a ``ScanResult``, on local
processes or a Dask cluster, with stage timings."""
