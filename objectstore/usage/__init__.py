"""Usage metering (issue 18 part 2; docs/usage.md): what each account stores, sampled on
a schedule, and what it transfers, counted per hour, both kept in the cluster in the
system account `.usage` (out of every user's reach) so every proxy reads the same.

    classes.py    an operation's class (read, write, list, delete, other)
    periods.py    hours, sample slots, the since/until of a query
    settings.py   [usage] sample_seconds, flush_seconds, keep_days
    meter.py      counts transfers in memory, per hour, until flushed
    series.py     the objects of `.usage`: one per (hour, proxy), one per sample slot
    sampler.py    one sample of every account's stored bytes and objects
    reading.py    the report of a window: the samples, transfers summed over proxies
    service.py    the meter, the sampler and their loops, as one proxy runs them
"""
