"""Public resource trading (公共资源交易, C25): trading centres publish notices with
their legal minimum periods checked, bidders register interest, candidates and results
are published, every named party checked against the credit lists.
Other contexts and the functions import only `api` and `events`."""
