"""Team runs: audit every rep of a team file, roll the results up, run from cron."""
