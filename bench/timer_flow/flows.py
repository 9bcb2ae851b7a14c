"""The throwaway viewflow flow of ``bench/sweep.py``: start, wait on a database timer, end. Used
only to time viewflow's own dispatcher (``fire_due_timers``) beside the deadline sweep."""

import datetime as dt

from viewflow import this
from viewflow.workflow import flow


class TimerFlow(flow.Flow):
    start = flow.StartHandle(this.start_process).Next(this.wait)
    wait = flow.Timer(dt.timedelta(days=1)).Next(this.end)
    end = flow.End()

    def start_process(self, activation):
        return activation.process
