"""A throwaway app for ``bench/sweep.py`` (installed by ``bench/sweep_settings.py`` only): a viewflow
flow that starts, waits on a database timer and ends, to time viewflow's ``fire_due_timers``."""
