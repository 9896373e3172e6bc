"""``newsmonitor demo``: sample news served on 127.0.0.1, the daemon with the shipped rules
on it, and the console, so a newcomer sees alerts with their evidence within a minute, offline.
"""
