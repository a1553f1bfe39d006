"""The signing service: digital signatures (ký số) on outgoing documents as the signer and as
the organisation, keys in an HSM (PKCS#11) or PKCS#12 files, and verification of every signed
PDF that arrives (ND30 Điều 5, 17, 33; Phụ lục I §II.7–8; DOMAIN.md §1.13)."""
