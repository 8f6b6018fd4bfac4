"""The SQLite index: signed segments and found passages kept between runs."""
