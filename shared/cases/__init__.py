"""The cases context (办件, C13 applicant side, C14, C15, C16, C18): applications,
materials, automatic pre-review, the one-time supplement notice, intake by the
department, the Art. 32 deemed acceptance and the tamper-evident timeline.

`models` (shapes), `states` (the transition table), `service` (use cases),
`repository` (CasesTable), `storage` (materials bucket), `events` (what it
publishes), `routes` (HTTP), `errors` (its codes), and pure rules:
`pre_review`, `forms`, `formats`, `timeline`, `numbers`.
"""
