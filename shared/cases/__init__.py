"""The cases context (办件, C13 applicant side, C14, C15, C16, C18): applications,
materials, automatic pre-review, the one-time supplement notice, intake by the
department, the Art. 32 deemed acceptance and the tamper-evident timeline.

Public: `api` (what other contexts and the functions may use) and `events`
(what it publishes). Inside: `service` (the façade) composed of the use
cases `application`, `intake`, `review`, `fulfilment` and `supervision`
over `ledger` (load, target, entry, commit), `policy` (who may do what) and
`views`; `ports` (what it needs from other contexts, wired at the entry
points); `models` (shapes), `states` (the transition table), `repository`
(CasesTable), `storage` (materials bucket), `routes` (HTTP), `errors` (its
codes), and pure rules: `pre_review`, `forms`, `formats`, `timeline`,
`numbers`, `clock`, `deadlines`, `steps`.
"""
