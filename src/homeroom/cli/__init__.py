"""The `homeroom` command line: thin adapters over the policy, scenarios and services."""
