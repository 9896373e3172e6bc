"""newsmonitor's RQ jobs: fetch, extract, classify, match, deliver."""
