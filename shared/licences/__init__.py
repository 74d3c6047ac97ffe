"""The e-licence library (电子证照库, C11) and once-only reuse (C15).

Issuance from approved cases, GB/T 36904 identifiers, GB/T 36903 metadata,
signed QR payloads, PDF certificates, online and offline verification, the
bitstring status list, the holder's wallet and the usage log. Start at
`service.py`; the table's layout is in `repository.py`.
"""
