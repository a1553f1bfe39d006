"""A reference national document exchange axis (trục liên thông văn bản quốc gia): its own
process, speaking the wire format of the public VPCP VXP SDK, storing in SQLite, for
development, tests and demos in place of the real axis. See docs/exchange-axis.md."""
