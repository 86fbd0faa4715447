"""What the pages and reports show: headlines and their verdicts in words, reports, the chart's data,
comparing takes, reflection, exports. Reads results and verdicts; never decides again."""
