"""Demo data for kqlhunt.

``kqlhunt.demo.synth`` generates realistic synthetic Windows process telemetry:

* ``normalized_process_events(n, seed=..., match_rate=...)``: a pyarrow table shaped like the output of
  ASIM's ``imProcessCreate`` (used by the benchmarks and the tests), with a known number of rows that the seed
  rule (``Enumeration of users and groups``) matches, plus near misses it must reject;
* ``sentinel_tables(seed=...)``: a small raw Sentinel workspace (``SecurityEvent`` 4688 and ``Event`` Sysmon 1)
  covering a few hours of a small organisation with a handful of attacks in it (used by ``make demo``).
"""
