"""National codes every context checks the same way (a shared kernel, like
`shared.platform`): GB/T 2260 administrative divisions with the statistical
township (9-digit) and village (12-digit) codes below them
(`shared.codes.divisions`), and the resident ID number and unified social
credit code validators (`shared.codes.national`). Pure: no I/O beyond reading
the packaged division table; contexts import these instead of keeping their
own copies, so one code is never valid in one context and invalid in another.
"""
